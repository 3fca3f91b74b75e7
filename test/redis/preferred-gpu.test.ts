/** A job's GPU list lives in its Redis record: whichever replica submits it sends the list the caller gave. */
import { randomUUID } from 'node:crypto'
import { createAkashGenClient } from '@akashgen/client'
import { DEFAULT_PREFERRED_GPUS, GenerateInput } from '@akashgen/contract'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { JobRecord } from '../../server/jobs/job-record.ts'
import { decodeRecord, encodeRecord } from '../../server/jobs/redis/record-codec.ts'
import { resetEmulator, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { finalStatus } from '../support/outcomes.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

const harness = useGatewayHarness()
let prefix = ''
afterEach(() => dropPrefix(REDIS_URL, prefix))

describe('preferredGpu on Redis', () => {
  beforeAll(requireRedis)

  it('a job queued on one replica and run from Redis asks the upstream for its own GPU list', async () => {
    prefix = freshPrefix()
    resetEmulator(harness.emulator, { queueMs: 0, runMs: 300 })
    const shared = { REDIS_URL, AKASHGEN_REDIS_PREFIX: prefix, AKASHGEN_MAX_CONCURRENT: '1' }
    const [one, two] = [await harness.openGateway(shared), await harness.openGateway(shared)]
    const viaOne = createAkashGenClient({ url: one.url })
    const viaTwo = createAkashGenClient({ url: two.url })
    const first = await viaOne.generate.mutate({ prompt: `holds the slot ${randomUUID()}` })
    // Queued behind the only slot: it waits in Redis and is taken from there, not from the caller's memory.
    const prompt = `waits for an H100 ${randomUUID()}`
    const queued = await viaTwo.generate.mutate({ prompt, preferredGpu: ['H100', 'A10'] })
    expect(await finalStatus(viaOne, first.jobId)).toBe('succeeded')
    expect(await finalStatus(viaTwo, queued.jobId)).toBe('succeeded')
    expect(upstreamJobFor(harness.emulator, prompt).preferredGpu).toEqual(['H100', 'A10'])
    expect((await viaOne.jobStatus.query({ jobId: queued.jobId })).worker?.gpu).toBe('H100')
  })

  it('a record stored before the field existed reads back with the default list', () => {
    const record: JobRecord = {
      id: randomUUID(),
      request: GenerateInput.parse({ prompt: 'an older record', preferredGpu: ['A100'] }),
      status: 'queued',
      queuePosition: 0,
      worker: null,
      createdAt: Date.now(),
      events: [],
    }
    expect(decodeRecord(encodeRecord(record)).request.preferredGpu).toEqual(['A100'])
    const older = JSON.parse(encodeRecord(record)) as { request: Record<string, unknown> }
    delete older.request.preferredGpu
    expect(decodeRecord(JSON.stringify(older)).request.preferredGpu).toEqual([...DEFAULT_PREFERRED_GPUS])
  })
})
