/** What the webhook tests share: a gateway that may call loopback receivers, a submit, and waits on what arrives. */
import type { Job } from '@akashgen/contract'
import { expect, vi } from 'vitest'
import type { TestGateway } from '../support/gateway.ts'
import type { WebhookReceiver } from '../support/webhook-receiver.ts'

/** Short retries so a test sees the whole schedule in a fraction of a second. */
export const FAST_RETRIES = {
  AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: '60,120',
  AKASHGEN_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
}

/** POSTs `body` to `/api/generate` with `Prefer: respond-async` (the job view at once), or as given. */
export const submit = (gateway: TestGateway, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'respond-async', ...headers },
    body: JSON.stringify(body),
  })

/** The job view as `GET /api/jobs/:id` answers it. */
export async function jobView(gateway: { url: string }, jobId: string): Promise<Job> {
  const response = await fetch(`${gateway.url}/api/jobs/${jobId}`)
  expect(response.status).toBe(200)
  return (await response.json()) as Job
}

/** Waits until the job view's deliveries are all settled (delivered or failed) and returns it. */
export const settledView = (gateway: { url: string }, jobId: string, deliveries = 1) =>
  vi.waitFor(
    async () => {
      const job = await jobView(gateway, jobId)
      const settled = job.webhook?.deliveries.filter((d) => d.state !== 'pending') ?? []
      expect(settled.length).toBe(deliveries)
      return job
    },
    { timeout: 10_000, interval: 50 },
  )

/** Waits until the receiver got `count` requests. */
export const receivedAtLeast = (receiver: WebhookReceiver, count: number) =>
  vi.waitFor(() => expect(receiver.received.length).toBeGreaterThanOrEqual(count), {
    timeout: 10_000,
    interval: 20,
  })
