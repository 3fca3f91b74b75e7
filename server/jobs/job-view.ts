/** How a job record is shown to callers: the contract's `Job` view and events, the same on every surface. */
import type { Job, JobEvent } from '@akashgen/contract'
import { isFinalStatus } from '@akashgen/contract'
import { webhookView } from '../webhooks/record.ts'
import type { JobEventRecord, JobRecord } from './job-record.ts'

/** Where a job's image is served on this gateway. */
export const imagePath = (jobId: string): string => `/api/jobs/${encodeURIComponent(jobId)}/image`

/** The view of `job`; `origin` (e.g. `http://localhost:6571`) makes `imageUrl` absolute. */
export function jobView(job: JobRecord, origin: string, now = Date.now()): Job {
  return {
    jobId: job.id,
    status: job.status,
    queuePosition: job.queuePosition,
    worker: job.worker,
    elapsedMs: (job.finishedAt ?? now) - job.createdAt,
    createdAt: new Date(job.createdAt).toISOString(),
    ...(job.finishedAt === undefined ? {} : { finishedAt: new Date(job.finishedAt).toISOString() }),
    ...(job.status === 'succeeded' ? { imageUrl: origin + imagePath(job.id) } : {}),
    ...(job.error ? { error: { code: job.error.code, message: job.error.toBody().error } } : {}),
    ...(job.webhook ? { webhook: webhookView(job.webhook) } : {}),
  }
}

/** The job as it was at `event`. */
export function eventView(job: JobRecord, event: JobEventRecord, origin: string): JobEvent {
  const final = isFinalStatus(event.status)
  const view: Job = {
    jobId: job.id,
    status: event.status,
    queuePosition: event.queuePosition,
    worker: event.worker,
    elapsedMs: event.at - job.createdAt,
    createdAt: new Date(job.createdAt).toISOString(),
    ...(final ? { finishedAt: new Date(event.at).toISOString() } : {}),
    ...(event.status === 'succeeded' ? { imageUrl: origin + imagePath(job.id) } : {}),
    ...(event.error ? { error: event.error } : {}),
  }
  return { type: event.status, job: view }
}
