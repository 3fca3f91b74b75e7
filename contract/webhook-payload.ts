/** The body of a webhook delivery, as Standard Webhooks recommends: `{type, timestamp, data}`. */
import { z } from 'zod'
import { Job } from './job.ts'
import { WebhookEventType } from './webhook.ts'

/** What the gateway POSTs: the event, when it happened, and the `Job` view at that moment (without `webhook`). */
export const WebhookPayload = z.object({
  type: WebhookEventType,
  timestamp: z.iso.datetime(),
  data: Job,
})
export type WebhookPayload = z.infer<typeof WebhookPayload>
