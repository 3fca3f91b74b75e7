/** A webhook retry pending in Redis outlives the gateway that scheduled it: a new process on the same Redis sends it. */
import type { Emulator } from '@akashgen/emulator'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startTestEmulator } from '../support/emulator.ts'
import { type RunningProcess, runGateway } from '../support/process.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'
import { newWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'
import { jobView } from '../webhooks/support.ts'

describe('webhooks on Redis', () => {
  let emulator: Emulator
  let receiver: WebhookReceiver | undefined
  const prefix = freshPrefix()
  const running: RunningProcess[] = []

  beforeAll(async () => {
    requireRedis()
    emulator = await startTestEmulator()
  })
  afterAll(() => emulator.close())
  afterEach(async () => {
    for (const gateway of running.splice(0)) {
      gateway.kill()
      await gateway.exited
    }
    await receiver?.close()
    await dropPrefix(REDIS_URL, prefix)
  })

  it('a gateway killed while a retry is pending: a new process on the same Redis delivers it', async () => {
    const secret = newWebhookSecret()
    receiver = await startWebhookReceiver(secret, [500])
    const start = async () => {
      const gateway = await runGateway({
        AKASHGEN_UPSTREAM_URL: emulator.url,
        AKASHGEN_POLL_INTERVAL_MS: '20',
        REDIS_URL,
        AKASHGEN_REDIS_PREFIX: prefix,
        AKASHGEN_WEBHOOK_SECRET: secret,
        AKASHGEN_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        // Long enough to kill the first gateway and start the second before the retry is due.
        AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: '3000',
      })
      running.push(gateway)
      return gateway
    }
    const first = await start()
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

    const second = await start()
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
