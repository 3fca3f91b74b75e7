import { describe, expect, it } from 'vitest'
import { MemoryIdempotencyStore } from '../../server/idempotency/store.ts'

describe('MemoryIdempotencyStore', () => {
  it('reserves a key once: a second caller gets the holder, even before the jobs are recorded', async () => {
    const store = new MemoryIdempotencyStore()
    expect(await store.reserve('k', 'body-1', 60_000)).toBeUndefined()
    expect(await store.reserve('k', 'body-2', 60_000)).toEqual({ fingerprint: 'body-1', jobIds: null })
    await store.complete('k', { fingerprint: 'body-1', jobIds: ['job-1'] }, 60_000)
    expect(await store.reserve('k', 'body-1', 60_000)).toEqual({ fingerprint: 'body-1', jobIds: ['job-1'] })
    store.close()
  })

  it('never holds more than its cap of keys, forgetting the oldest first', async () => {
    const store = new MemoryIdempotencyStore(3)
    for (const key of ['a', 'b', 'c', 'd']) await store.reserve(key, key, 60_000)
    // 'a' was forgotten: it can be reserved again; 'b' to 'd' are still held.
    expect(await store.reserve('a', 'again', 60_000)).toBeUndefined()
    expect(await store.reserve('c', 'other', 60_000)).toEqual({ fingerprint: 'c', jobIds: null })
    expect(await store.reserve('b', 'other', 60_000)).toBeUndefined()
    store.close()
  })
})
