/** Webhook deliveries to a real receiver that verifies them with `standardwebhooks`: success, retries, a dead end. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { scrape } from '../metrics/prometheus-text.ts'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { newWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'
import { FAST_RETRIES, jobView, receivedAtLeast, settledView, submit } from './support.ts'

const harness = useGatewayHarness()
const receivers: WebhookReceiver[] = []
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()))
})

const setup = async (answers: number[] = [], env: Record<string, string> = {}) => {
  const secret = newWebhookSecret()
  const receiver = await startWebhookReceiver(secret, answers)
  receivers.push(receiver)
  const gateway = await harness.openGateway({ AKASHGEN_WEBHOOK_SECRET: secret, ...FAST_RETRIES, ...env })
  return { receiver, gateway }
}

describe('webhook deliveries', () => {
  it('delivers a verified job.succeeded whose image URL downloads the image the caller got', async () => {
    const { receiver, gateway } = await setup()
    const response = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a lighthouse, told by webhook', webhook: { url: receiver.url } }),
    })
    expect(response.status).toBe(200)
    const bytes = Buffer.from(await response.arrayBuffer())
    const jobId = response.headers.get('x-job-id') ?? ''
    await receivedAtLeast(receiver, 1)
    const [delivery] = receiver.received
    expect(delivery?.problem).toBeUndefined()
    expect(delivery?.headers['webhook-id']).toBe(`msg_${jobId}.succeeded`)
    expect(delivery?.payload).toMatchObject({
      type: 'job.succeeded',
      data: { jobId, status: 'succeeded', imageUrl: `${gateway.url}/api/jobs/${jobId}/image` },
    })
    expect(delivery?.payload?.data).not.toHaveProperty('webhook')
    const image = await fetch(delivery?.payload?.data.imageUrl ?? '')
    expect(Buffer.from(await image.arrayBuffer()).equals(bytes)).toBe(true)

    const job = await settledView(gateway, jobId)
    expect(job.webhook).toMatchObject({
      url: receiver.url,
      events: ['succeeded', 'failed', 'cancelled', 'timed_out'],
      deliveries: [{ type: 'job.succeeded', state: 'delivered', attempts: 1, lastStatusCode: 204 }],
    })
    expect(job.webhook?.deliveries[0]?.deliveredAt).toBeDefined()
    expect(receiver.received).toHaveLength(1)
  })

  it('retries a receiver that fails twice: three attempts, one webhook-id, the outcome in the job view', async () => {
    const { receiver, gateway } = await setup([500, 503])
    const accepted = await submit(gateway, { prompt: 'twice refused', webhook: { url: receiver.url } })
    expect(accepted.status).toBe(202)
    const { jobId } = (await accepted.json()) as { jobId: string }
    const job = await settledView(gateway, jobId)
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 503, 204])
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1)
    expect(receiver.received.every((r) => r.payload?.type === 'job.succeeded')).toBe(true)
    expect(job.webhook?.deliveries).toEqual([
      expect.objectContaining({
        type: 'job.succeeded',
        state: 'delivered',
        attempts: 3,
        lastStatusCode: 204,
      }),
    ])
    const metrics = await scrape(gateway.url)
    expect(metrics.value('akashgen_webhook_attempts_total', { result: 'retry' })).toBe(2)
    expect(metrics.value('akashgen_webhook_attempts_total', { result: 'delivered' })).toBe(1)
  })

  it('gives up on a dead receiver after the schedule; the job and its slot are not held by it', async () => {
    const { receiver, gateway } = await setup([], { AKASHGEN_MAX_CONCURRENT: '1' })
    await receiver.close()
    const accepted = await submit(gateway, { prompt: 'nobody listens', webhook: { url: receiver.url } })
    const { jobId } = (await accepted.json()) as { jobId: string }
    // The only slot is free again long before the deliveries give up: a second job runs to its image.
    const second = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'right behind it' }),
    })
    expect(second.status).toBe(200)
    const job = await settledView(gateway, jobId)
    expect(job.status).toBe('succeeded')
    expect(job.webhook?.deliveries).toEqual([
      expect.objectContaining({ type: 'job.succeeded', state: 'failed', attempts: 3 }),
    ])
    expect(job.webhook?.deliveries[0]?.lastError).toMatch(/ECONNREFUSED/)
    expect(job.webhook?.deliveries[0]).not.toHaveProperty('nextAttemptAt')
    const metrics = await scrape(gateway.url)
    expect(metrics.value('akashgen_webhook_attempts_total', { result: 'retry' })).toBe(2)
    expect(metrics.value('akashgen_webhook_attempts_total', { result: 'failed' })).toBe(1)
  })

  it('shows a retry pending with its next attempt time while the schedule runs', async () => {
    const { receiver, gateway } = await setup([500], {
      AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: '2000',
    })
    const accepted = await submit(gateway, { prompt: 'retry later', webhook: { url: receiver.url } })
    const { jobId } = (await accepted.json()) as { jobId: string }
    const delivery = await vi.waitFor(
      async () => {
        const [first] = (await jobView(gateway, jobId)).webhook?.deliveries ?? []
        expect(first?.attempts).toBe(1)
        return first
      },
      { timeout: 10_000, interval: 20 },
    )
    expect(delivery).toMatchObject({ state: 'pending', lastStatusCode: 500 })
    expect(receiver.received).toHaveLength(1)
    expect(Date.parse(delivery?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now())
  })

  it('sends only the events asked for, in order', async () => {
    const { receiver, gateway } = await setup()
    // Long enough for the poller to see it running, even on a busy machine.
    resetEmulator(harness.emulator, { runMs: 800 })
    const events = ['running', 'succeeded']
    const accepted = await submit(gateway, { prompt: 'every step', webhook: { url: receiver.url, events } })
    const { jobId } = (await accepted.json()) as { jobId: string }
    await settledView(gateway, jobId, 2)
    expect(receiver.received.map((r) => r.payload?.type)).toEqual(['job.running', 'job.succeeded'])
    expect(receiver.received[0]?.payload?.data).toMatchObject({ status: 'running' })
    expect(receiver.received[0]?.payload?.data).not.toHaveProperty('imageUrl')

    // An event not asked for is never sent, though the job reaches it.
    const onlyFailed = await submit(gateway, {
      prompt: 'told only of failure',
      webhook: { url: receiver.url, events: ['failed'] },
    })
    const other = ((await onlyFailed.json()) as { jobId: string }).jobId
    const final = await finalView(gateway, other)
    expect(final.status).toBe('succeeded')
    expect(final.webhook?.deliveries).toEqual([])
    expect(receiver.received.some((r) => r.payload?.data.jobId === other)).toBe(false)
  })

  it.each([
    ['failed', { failRate: 1 }, {}, 'JOB_FAILED'],
    ['timed_out', { runMs: 5000 }, { AKASHGEN_JOB_TIMEOUT_MS: '1000' }, 'JOB_TIMEOUT'],
  ] as const)('tells a %s job with its event and error', async (status, knobs, env, code) => {
    const { receiver, gateway } = await setup([], env)
    resetEmulator(harness.emulator, knobs)
    const accepted = await submit(gateway, { prompt: `ends ${status}`, webhook: { url: receiver.url } })
    const { jobId } = (await accepted.json()) as { jobId: string }
    const job = await settledView(gateway, jobId)
    expect(job.status).toBe(status)
    expect(receiver.received.map((r) => r.payload?.type)).toEqual([`job.${status}`])
    expect(receiver.received[0]?.payload?.data).toMatchObject({ jobId, status, error: { code } })
  })

  it('tells a cancelled job with job.cancelled', async () => {
    const { receiver, gateway } = await setup()
    resetEmulator(harness.emulator, { runMs: 5000 })
    const accepted = await submit(gateway, { prompt: 'stopped early', webhook: { url: receiver.url } })
    const { jobId } = (await accepted.json()) as { jobId: string }
    expect((await fetch(`${gateway.url}/api/jobs/${jobId}`, { method: 'DELETE' })).status).toBe(200)
    await settledView(gateway, jobId)
    expect(receiver.received.map((r) => r.payload?.type)).toEqual(['job.cancelled'])
    expect(receiver.received[0]?.payload?.data.error?.code).toBe('CANCELLED')
  })
})

/** The job once final (and any delivery it claimed recorded). */
const finalView = (gateway: { url: string }, jobId: string) =>
  vi.waitFor(
    async () => {
      const job = await jobView(gateway, jobId)
      expect(job.finishedAt).toBeDefined()
      return job
    },
    { timeout: 10_000 },
  )
