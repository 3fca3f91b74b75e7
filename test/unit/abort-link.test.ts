import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { linkSignals } from '../../server/abort-link.ts'

describe('linkSignals', () => {
  it('aborts with the reason of the first source that aborts', () => {
    const [first, second] = [new AbortController(), new AbortController()]
    const linked = linkSignals(first.signal, second.signal)
    second.abort(new Error('second went first'))
    first.abort(new Error('too late'))
    expect(linked.signal.aborted).toBe(true)
    expect((linked.signal.reason as Error).message).toBe('second went first')
  })

  it('is aborted at once when a source already is', () => {
    const done = new AbortController()
    done.abort('already')
    expect(linkSignals(new AbortController().signal, done.signal).signal.reason).toBe('already')
  })

  it('leaves nothing on a long-lived source once unlinked, however many requests used it', () => {
    const process = new AbortController()
    for (let i = 0; i < 1000; i++) linkSignals(process.signal, new AbortController().signal).unlink()
    expect(getEventListeners(process.signal, 'abort')).toHaveLength(0)
    const open = linkSignals(process.signal)
    expect(getEventListeners(process.signal, 'abort')).toHaveLength(1)
    process.abort('shutting down')
    expect(open.signal.reason).toBe('shutting down')
    expect(getEventListeners(process.signal, 'abort')).toHaveLength(0)
  })
})
