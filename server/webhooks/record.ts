/** What a job record keeps of its webhook: where, which events, the origin of its image URL, each delivery. */
import type { JobWebhook, WebhookEvent } from '@akashgen/contract'

/** One event's delivery; times are epoch ms. */
export interface DeliveryRecord {
  event: WebhookEvent
  state: 'pending' | 'delivered' | 'failed'
  attempts: number
  lastStatusCode?: number
  lastError?: string
  deliveredAt?: number
  nextAttemptAt?: number
}

/** The webhook of a job, as its record keeps it. */
export interface JobWebhookRecord {
  url: string
  events: WebhookEvent[]
  /** This gateway's origin for the payload's absolute `imageUrl` (AKASHGEN_PUBLIC_URL, else as the caller reached it). */
  origin: string
  deliveries: DeliveryRecord[]
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The job view's `webhook`: the record's, with `job.`-prefixed types and ISO times. */
export function webhookView({ url, events, deliveries }: JobWebhookRecord): JobWebhook {
  return {
    url,
    events,
    deliveries: deliveries.map((delivery) => ({
      type: `job.${delivery.event}` as const,
      state: delivery.state,
      attempts: delivery.attempts,
      ...(delivery.lastStatusCode === undefined ? {} : { lastStatusCode: delivery.lastStatusCode }),
      ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }),
      ...(delivery.deliveredAt === undefined ? {} : { deliveredAt: iso(delivery.deliveredAt) }),
      ...(delivery.nextAttemptAt === undefined ? {} : { nextAttemptAt: iso(delivery.nextAttemptAt) }),
    })),
  }
}
