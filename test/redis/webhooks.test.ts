/** Webhooks on Redis: each event sent once by one replica, and pending work outliving the replica that had it. */
import { randomUUID } from 'node:crypto'
import type { Emulator } from '@akashgen/emulator'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { JobRecord } from '../../server/jobs/job-record.ts'
import { encodeRecord } from '../../server/jobs/redis/record-codec.ts'
import { jobRecordKey } from '../../server/jobs/redis/redis-store.ts'
import { startTestEmulator } from '../support/emulator.ts'
import { type RunningProcess, runGateway, stopAll } from '../support/process.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'
import { newWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'
import { jobView } from '../webhooks/support.ts'

describe('webhooks on Redis', () => {
  let emulator: Emulator
  let receiver: WebhookReceiver | undefined
  let prefix = freshPrefix()
  const running: RunningProcess[] = []

  beforeAll(async () => {
    requireRedis()
    emulator = await startTestEmulator()
  })
  afterAll(() => emulator.close())
  afterEach(async () => {
    await stopAll(running)
    await receiver?.close()
    await dropPrefix(REDIS_URL, prefix)
    prefix = freshPrefix()
  })

  /** Starts a gateway process on this test's prefix with a secret and loopback receivers allowed. */
  const start = async (secret: string, env: Record<string, string> = {}) => {
    const gateway = await runGateway({
      AKASHGEN_UPSTREAM_URL: emulator.url,
      AKASHGEN_POLL_INTERVAL_MS: '20',
      REDIS_URL,
      AKASHGEN_REDIS_PREFIX: prefix,
      AKASHGEN_WEBHOOK_SECRET: secret,
      AKASHGEN_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      ...env,
    })
    running.push(gateway)
    return gateway
  }

  it('two replicas on one Redis send each event once', async () => {
    const secret = newWebhookSecret()
    receiver = await startWebhookReceiver(secret)
    const [a, b] = await Promise.all([start(secret), start(secret)])
    const ids: string[] = []
    for (const [i, gateway] of [a, b, a, b].entries()) {
      const response = await fetch(`${gateway.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', prefer: 'respond-async' },
        body: JSON.stringify({ prompt: `once ${i}`, webhook: { url: receiver?.url } }),
      })
      ids.push(((await response.json()) as { jobId: string }).jobId)
    }
    for (const jobId of ids) {
      await vi.waitFor(
        async () => expect((await jobView(b, jobId)).webhook?.deliveries[0]?.state).toBe('delivered'),
        { timeout: 15_000, interval: 100 },
      )
    }
    // Time for a duplicate to arrive, had a second replica claimed an event too.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const received = receiver.received.map((r) => r.payload?.data.jobId).sort()
    expect(received).toEqual([...ids].sort())
  })

  it('work a dying replica left undone is done by the next one to start', async () => {
    const secret = newWebhookSecret()
    receiver = await startWebhookReceiver(secret)
    const now = Date.now()
    /** A succeeded job as a replica leaves it when it dies right after the final write: `deliveries` as given. */
    const record = (deliveries: NonNullable<JobRecord['webhook']>['deliveries']): JobRecord => ({
      id: randomUUID(),
      request: {
        prompt: 'left behind',
        negative: '',
        sampler: 'euler',
        scheduler: 'normal',
        preferredGpu: ['RTX4090'],
      },
      status: 'succeeded',
      queuePosition: 0,
      worker: null,
      createdAt: now - 5000,
      finishedAt: now - 4000,
      events: [
        { seq: 1, at: now - 5000, status: 'queued', queuePosition: 0, worker: null },
        { seq: 2, at: now - 4000, status: 'succeeded', queuePosition: 0, worker: null },
      ],
      webhook: { url: receiver?.url ?? '', events: ['succeeded'], origin: 'https://gen.example', deliveries },
    })
    // One nobody claimed; one claimed a minute ago whose first attempt was never queued.
    const unclaimed = record([])
    const unqueued = record([
      { event: 'succeeded', state: 'pending', attempts: 0, nextAttemptAt: now - 60_000 },
    ])
    const redis = new Redis(REDIS_URL)
    try {
      for (const job of [unclaimed, unqueued]) {
        await redis.hset(jobRecordKey(prefix, job.id), 'v', 1, 'json', encodeRecord(job))
        await redis.zadd(`${prefix}:webhook-jobs`, now + 60_000, job.id)
      }
    } finally {
      redis.disconnect()
    }
    const gateway = await start(secret)
    for (const job of [unclaimed, unqueued]) {
      const view = await vi.waitFor(
        async () => {
          const seen = await jobView(gateway, job.id)
          expect(seen.webhook?.deliveries[0]?.state).toBe('delivered')
          return seen
        },
        { timeout: 15_000, interval: 100 },
      )
      expect(view.webhook?.deliveries[0]?.attempts).toBe(1)
    }
    const ids = receiver.received.map((r) => r.payload?.data.jobId).sort()
    expect(ids).toEqual([unclaimed.id, unqueued.id].sort())
    expect(receiver.received[0]?.payload?.data.imageUrl).toMatch(/^https:\/\/gen\.example\/api\/jobs\//)
  })

  it('a gateway killed while a retry is pending: a new process on the same Redis delivers it', async () => {
    const secret = newWebhookSecret()
    receiver = await startWebhookReceiver(secret, [500])
    // Long enough to kill the first gateway and start the second before the retry is due.
    const first = await start(secret, { AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: '3000' })
    const submitted = await fetch(`${first.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ prompt: 'told after a restart', webhook: { url: receiver.url } }),
    })
    const { jobId } = (await submitted.json()) as { jobId: string }
    await vi.waitFor(
      async () => {
        const [delivery] = (await jobView(first, jobId)).webhook?.deliveries ?? []
        expect(delivery).toMatchObject({ state: 'pending', attempts: 1, lastStatusCode: 500 })
      },
      { timeout: 15_000, interval: 50 },
    )
    first.kill()
    await first.exited

    const second = await start(secret, { AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: '3000' })
    const delivered = await vi.waitFor(
      async () => {
        const job = await jobView(second, jobId)
        expect(job.webhook?.deliveries[0]?.state).toBe('delivered')
        return job
      },
      { timeout: 15_000, interval: 100 },
    )
    expect(delivered.webhook?.deliveries[0]).toMatchObject({ attempts: 2, lastStatusCode: 204 })
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 204])
    expect(receiver.received.every((r) => r.payload?.type === 'job.succeeded')).toBe(true)
    expect(receiver.received[1]?.payload?.data.imageUrl).toContain(`/api/jobs/${jobId}/image`)
  })
})
