/** Which of a job's events are due for delivery, and claiming them in its record so only one replica sends each. */
import type { WebhookEvent, WebhookPayload } from '@akashgen/contract'
import type { JobRecord } from '../jobs/job-record.ts'
import { eventView, jobView } from '../jobs/job-view.ts'
import type { DeliveryTask } from './queue.ts'

/** The requested events the job has reached and that have no delivery yet. */
export function dueEvents(job: JobRecord): WebhookEvent[] {
  const webhook = job.webhook
  if (!webhook) return []
  const reached = new Set<string>([job.status, ...job.events.map((event) => event.status)])
  return webhook.events.filter(
    (event) => reached.has(event) && !webhook.deliveries.some((delivery) => delivery.event === event),
  )
}

/** The `webhook-id` of an event of a job: the same on every attempt. */
const messageIdOf = (jobId: string, event: WebhookEvent) => `msg_${jobId}.${event}`

/** Attempt `attempt` of `event`: the payload is the job as it was at the event, with an absolute image URL. */
export function taskFor(job: JobRecord, event: WebhookEvent, attempt: number, now: number): DeliveryTask {
  const origin = job.webhook?.origin ?? ''
  const at = job.events.find((record) => record.status === event)
  // The event log keeps the first and newest events; an event that fell out is shown as the job is now.
  const data = at ? eventView(job, at, origin).job : jobView(job, origin, now)
  const { webhook: _ownDeliveries, ...view } = data
  const payload: WebhookPayload = {
    type: `job.${event}`,
    timestamp: new Date(at?.at ?? now).toISOString(),
    data: view,
  }
  return {
    jobId: job.id,
    event,
    attempt,
    url: job.webhook?.url ?? '',
    messageId: messageIdOf(job.id, event),
    body: JSON.stringify(payload),
  }
}

/** Adds a pending delivery for each due event to `job` (inside a store update); returns their first attempts. */
export function claimDue(job: JobRecord, now: number): DeliveryTask[] {
  const webhook = job.webhook
  if (!webhook) return []
  return dueEvents(job).map((event) => {
    webhook.deliveries.push({ event, state: 'pending', attempts: 0, nextAttemptAt: now })
    return taskFor(job, event, 1, now)
  })
}
