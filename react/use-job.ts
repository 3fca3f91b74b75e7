/** useJob: one job's live state, image and error, followed over the `jobEvents` subscription. */
import { AkashGenError, type Job, type JobStatus, toAkashGenError, type Worker } from '@akashgen/client'
import { skipToken } from '@tanstack/react-query'
import { useSubscription } from '@trpc/tanstack-react-query'
import { useMemo, useState } from 'react'
import { useImageObjectUrl } from './image-object-url.ts'
import { useAkashGenTRPC } from './trpc.ts'

/** Where a job is: its place in line, the worker that took it, and the time since the gateway accepted it. */
export interface JobProgress {
  queuePosition: number
  worker: Worker | null
  elapsedMs: number
}

/** What useJob reports. */
export interface JobState {
  /** The job's view at its latest event; undefined until the first one arrives. */
  job: Job | undefined
  status: JobStatus | undefined
  progress: JobProgress | undefined
  /** An object URL of the image (for `<img src>`), once the job succeeded and the image is downloaded. */
  imageUrl: string | undefined
  /** What went wrong: the job's own failure, the stream's or the download's, with the gateway's code. */
  error: AkashGenError | null
}

/**
 * Follows a job, from any origin (another tab, a server) by its id: live events over SSE, resumed after a
 * network drop from the last event seen (tRPC's tracked events), then the image as an object URL, revoked when
 * the id changes or the component unmounts. Pass `null` to follow nothing.
 */
export function useJob(jobId: string | null | undefined): JobState {
  const trpc = useAkashGenTRPC()
  // Kept here, not read from the subscription's `data`: that is cleared when the stream ends after the final event.
  const [latest, setLatest] = useState<Job>()
  // Only a stream that gave up: while it reconnects after a drop (its `connecting` state) nothing is wrong yet.
  const [failed, setFailed] = useState<{ jobId: string; error: AkashGenError }>()
  useSubscription(
    trpc.jobEvents.subscriptionOptions(jobId ? { jobId } : skipToken, {
      onData: (event) => setLatest(event.data.job),
      onError: (error) => jobId && setFailed({ jobId, error: toAkashGenError(error) }),
    }),
  )
  // Another job's state is kept after a jobId change until the new stream speaks: show only this job's.
  const job = latest && latest.jobId === jobId ? latest : undefined
  const streamError = failed && failed.jobId === jobId ? failed.error : undefined
  const image = useImageObjectUrl(job)
  const progress = useMemo(
    () => job && { queuePosition: job.queuePosition, worker: job.worker, elapsedMs: job.elapsedMs },
    [job],
  )
  const error = useMemo(() => streamError ?? (job ? jobError(job) : null), [streamError, job])
  return { job, status: job?.status, progress, imageUrl: image.url, error: error ?? image.error }
}

/** The code of a job that ended without an image when the gateway gave none. */
const FINAL_CODES = { failed: 'JOB_FAILED', cancelled: 'CANCELLED', timed_out: 'JOB_TIMEOUT' } as const

/** The error of a job that ended without an image; null while it runs or once it succeeded. */
function jobError(job: Job): AkashGenError | null {
  if (job.status === 'succeeded' || job.status === 'queued' || job.status === 'running') return null
  const code = job.error?.code ?? FINAL_CODES[job.status]
  return new AkashGenError(code, job.error?.message ?? `the job ended ${job.status}`, { job })
}
