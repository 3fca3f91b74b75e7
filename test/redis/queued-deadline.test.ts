/** A job's deadline counts from acceptance: one that waits in line for a full deployment still ends on time. */
import { createAkashGenClient } from '@akashgen/client'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { finalStatus } from '../support/outcomes.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

const harness = useGatewayHarness()
let prefix = ''
afterEach(() => dropPrefix(REDIS_URL, prefix))

describe('AKASHGEN_JOB_TIMEOUT_MS while a job waits in line', () => {
  beforeAll(requireRedis)

  it('a job queued behind the only slot ends JOB_TIMEOUT while the slot is still held, never submitted', async () => {
    prefix = freshPrefix()
    resetEmulator(harness.emulator, { queueMs: 0, runMs: 6000 })
    const shared = { REDIS_URL, AKASHGEN_REDIS_PREFIX: prefix, AKASHGEN_MAX_CONCURRENT: '1' }
    // The slot holder's replica has a long deadline, so the slot stays held well past the queued job's.
    const holder = await harness.openGateway({ ...shared, AKASHGEN_JOB_TIMEOUT_MS: '30000' })
    const viaHolder = createAkashGenClient({ url: holder.url })
    const first = await viaHolder.generate.mutate({ prompt: 'holds the only slot' })
    await expect
      .poll(async () => (await viaHolder.jobStatus.query({ jobId: first.jobId })).status)
      .toBe('running')

    const waiter = await harness.openGateway({ ...shared, AKASHGEN_JOB_TIMEOUT_MS: '1000' })
    const viaWaiter = createAkashGenClient({ url: waiter.url })
    const queued = await viaWaiter.generate.mutate({ prompt: 'waits in line' })
    expect(queued.status).toBe('queued')

    expect(await finalStatus(viaWaiter, queued.jobId)).toBe('timed_out')
    const ended = await viaWaiter.jobStatus.query({ jobId: queued.jobId })
    expect(ended.error?.code).toBe('JOB_TIMEOUT')
    // It ended in line: the slot holder still runs, and the upstream never saw the queued prompt.
    expect((await viaHolder.jobStatus.query({ jobId: first.jobId })).status).toBe('running')
    expect(harness.emulator.counters.submittedPrompts).toEqual(['holds the only slot'])
  })
})
