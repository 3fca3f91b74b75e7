/** Webhooks: what a generate request asks to be told about its job, and how the job view reports each delivery. */
import { z } from 'zod'
import { quoted } from './text.ts'

/** The job changes a webhook can report: `running`, then one of the four final states. */
export const WEBHOOK_EVENTS = ['running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const
/** One of the job changes a webhook can report. */
export const WebhookEvent = z.enum(WEBHOOK_EVENTS)
export type WebhookEvent = z.infer<typeof WebhookEvent>

/** What a webhook without `events` reports: every final state (one delivery per job); `running` is opt-in. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = [
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
]

/** The `type` of a delivery's payload: `job.` and the event, e.g. `job.succeeded`. */
export const WebhookEventType = z.enum(WEBHOOK_EVENTS.map((event) => `job.${event}` as const))
export type WebhookEventType = z.infer<typeof WebhookEventType>

/** Longest webhook URL accepted, in characters. */
export const MAX_WEBHOOK_URL_LENGTH = 2048

const urlHelp = `webhook.url must be an absolute http:// or https:// URL without credentials, at most ${MAX_WEBHOOK_URL_LENGTH} characters`
const eventsHelp = `webhook.events must be a non-empty list of ${WEBHOOK_EVENTS.join(', ')}`

/** Whether `value` is an http(s) URL with a host and no user info (a secret would then sit in every log line). */
function isWebhookUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const url = new URL(value)
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    !url.username &&
    !url.password
  )
}

/** The `webhook` field of a generate request: where to POST, and which events (default: the final ones). */
export const WebhookInput = z
  .strictObject(
    {
      url: z
        .string({ error: urlHelp })
        .max(MAX_WEBHOOK_URL_LENGTH, { error: urlHelp })
        .refine(isWebhookUrl, { error: urlHelp })
        .meta({
          description:
            'Where each event is POSTed, signed per Standard Webhooks. Private, loopback and link-local ' +
            'destinations are refused unless the gateway allows the host (AKASHGEN_WEBHOOK_ALLOW_HOSTS).',
          examples: ['https://example.com/hooks/akashgen'],
        }),
      events: z
        .array(
          z.enum(WEBHOOK_EVENTS, {
            error: (issue) => `unknown webhook event "${quoted(issue.input)}": ${eventsHelp}`,
          }),
          { error: eventsHelp },
        )
        .min(1, { error: eventsHelp })
        .max(WEBHOOK_EVENTS.length * 2, { error: eventsHelp })
        .optional()
        .meta({ description: `Which job changes to deliver; absent: ${DEFAULT_WEBHOOK_EVENTS.join(', ')}.` }),
    },
    { error: 'webhook must be an object {url, events?}' },
  )
  .transform(({ url, events }) => ({ url, events: [...new Set(events ?? DEFAULT_WEBHOOK_EVENTS)] }))
export type WebhookInput = z.input<typeof WebhookInput>

/** One event's delivery as the job view shows it: pending (maybe between attempts), delivered, or failed for good. */
export const WebhookDelivery = z.object({
  type: WebhookEventType,
  state: z.enum(['pending', 'delivered', 'failed']),
  /** Attempts made so far. */
  attempts: z.number().int().nonnegative(),
  /** The receiver's HTTP status at the last attempt, when it answered. */
  lastStatusCode: z.number().int().optional(),
  /** Why the last attempt failed, when it did without an answer (timeout, refused connection, ...). */
  lastError: z.string().optional(),
  deliveredAt: z.iso.datetime().optional(),
  nextAttemptAt: z.iso.datetime().optional(),
})
export type WebhookDelivery = z.infer<typeof WebhookDelivery>

/** The job view's `webhook`: where it goes, which events, and each delivery so far. */
export const JobWebhook = z.object({
  url: z.string(),
  events: z.array(WebhookEvent),
  deliveries: z.array(WebhookDelivery),
})
export type JobWebhook = z.infer<typeof JobWebhook>
