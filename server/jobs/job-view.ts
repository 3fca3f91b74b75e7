/** How a job record is shown to callers: the contract's `Job` view, the same on every surface. */
import type { Job } from '@akashgen/client/contract'
import type { JobRecord } from './job-record.ts'

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
  }
}
