/** Redis stopped and started again under a running gateway: refusals instead of hangs, nothing accepted lost. */
import { createAkashGenClient } from '@akashgen/client'
import type { Emulator } from '@akashgen/emulator'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startTestEmulator } from '../support/emulator.ts'
import { type RunningProcess, runGateway } from '../support/process.ts'
import { type OwnRedis, startOwnRedis } from '../support/redis.ts'

// Runs where the Redis suites run; it starts a redis-server of its own, which it can stop and start.
describe('a Redis outage', () => {
  let emulator: Emulator
  let redis: OwnRedis
  let gateway: RunningProcess & { url: string }

  beforeAll(async () => {
    emulator = await startTestEmulator({ queueMs: 0, runMs: 2500 })
    redis = await startOwnRedis()
    gateway = await runGateway({
      AKASHGEN_UPSTREAM_URL: emulator.url,
      AKASHGEN_POLL_INTERVAL_MS: '20',
      AKASHGEN_STATUS_RPS: '20',
      REDIS_URL: redis.url,
      // Shorter than the outage: the queue's holds on running jobs lapse and it hands them out again.
      AKASHGEN_REDIS_LOCK_MS: '1000',
    })
  })
  afterAll(async () => {
    gateway?.kill()
    await gateway?.exited
    await redis?.stop()
    await emulator?.close()
  })

  const generate = (prompt: string) =>
    fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ prompt }),
      // A hang would trip this and fail the test: refusals must come at once.
      signal: AbortSignal.timeout(8000),
    })

  it('answers 503 STORE_UNAVAILABLE while Redis is away, then finishes every job it had accepted', async () => {
    const prompts = ['accepted before the outage 1', 'accepted before the outage 2', 'accepted before 3']
    const jobIds: string[] = []
    for (const prompt of prompts) {
      const accepted = await generate(prompt)
      expect(accepted.status).toBe(202)
      jobIds.push(((await accepted.json()) as { jobId: string }).jobId)
    }
    await vi.waitFor(() => expect(emulator.counters.submissions).toBe(3), { timeout: 10_000 })

    await redis.stop()
    const refused = await generate('during the outage')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBeTruthy()
    expect(await refused.json()).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true })
    await vi.waitFor(async () => {
      const ready = await fetch(`${gateway.url}/ready`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ ready: false })
    })
    const health = await (await fetch(`${gateway.url}/health`)).json()
    expect(health).toMatchObject({
      status: 'degraded',
      ready: false,
      store: { kind: 'redis', state: 'down' },
    })
    const client = createAkashGenClient({ url: gateway.url })
    await expect(client.jobStatus.query({ jobId: jobIds[0] ?? '' })).rejects.toMatchObject({
      data: { errorCode: 'STORE_UNAVAILABLE' },
    })

    // Redis stays away until the upstream has finished them all: their outcomes wait for it, then land.
    await vi.waitFor(() => expect(emulator.jobs().every((job) => job.finishedAt !== null)).toBe(true), {
      timeout: 10_000,
    })
    await redis.start()
    await vi.waitFor(async () => expect((await fetch(`${gateway.url}/ready`)).status).toBe(200), {
      timeout: 15_000,
      interval: 200,
    })
    const finals = await vi.waitFor(
      async () => {
        const jobs = await Promise.all(jobIds.map((jobId) => client.jobStatus.query({ jobId })))
        expect(jobs.map((job) => job.status)).toEqual(prompts.map(() => 'succeeded'))
        return jobs
      },
      { timeout: 20_000, interval: 200 },
    )
    expect(finals).toHaveLength(3)
    expect([...emulator.counters.submittedPrompts].sort()).toEqual([...prompts].sort())
    const after = await generate('after the outage')
    expect(after.status).toBe(202)
  })
})
