// One emulated upstream job: what was asked, where it stands, and how it is shown to tests.
import type { ImageSpec } from '../images/store.ts'

/** Where a job is in its life; the words a status answer uses depend on the era. */
export type JobPhase = 'waiting' | 'pending' | 'succeeded' | 'failed'

/** The GPU worker a job runs on. */
export interface WorkerSeat {
  index: number
  name: string
  city: string
  country: string
  gpu: string
}

/** Internal state of one job. */
export interface JobRecord {
  id: string
  prompt: string
  negative: string
  sampler: string
  scheduler: string
  preferredGpu: string[]
  /** Why the job fails as it leaves the queue, or null (see SubmitInput.refusal). */
  refusal: string | null
  era: 1 | 2
  phase: JobPhase
  submittedAt: number
  startedAt: number | null
  finishedAt: number | null
  firstReportedFinalAt: number | null
  result: string
  imageFile: string
  image: ImageSpec
  worker: WorkerSeat | null
  statusPolls: number
}

/** A job as tests see it through jobs(); times are epoch milliseconds. */
export interface EmulatorJobView {
  jobId: string
  prompt: string
  negative: string
  sampler: string
  scheduler: string
  preferredGpu: string[]
  status: string
  workerName: string
  workerGpu: string
  submittedAt: number
  startedAt: number | null
  finishedAt: number | null
  firstReportedFinalAt: number | null
  result: string
  imageFile: string
}

/** The status word a status answer gives for a job right now. */
export function reportedStatus(job: JobRecord, unknownStatus: string | null): string {
  if (job.phase === 'waiting') return job.era === 1 ? 'pending' : 'waiting'
  if (job.phase === 'pending') return unknownStatus ?? 'pending'
  if (job.phase === 'succeeded') return job.era === 1 ? 'completed' : 'succeeded'
  return 'failed'
}

/** A read-only copy of a job for tests and the control endpoint. */
export function viewOf(job: JobRecord, unknownStatus: string | null): EmulatorJobView {
  return {
    jobId: job.id,
    prompt: job.prompt,
    negative: job.negative,
    sampler: job.sampler,
    scheduler: job.scheduler,
    preferredGpu: [...job.preferredGpu],
    status: reportedStatus(job, unknownStatus),
    workerName: job.worker?.name ?? '',
    workerGpu: job.worker?.gpu ?? '',
    submittedAt: job.submittedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    firstReportedFinalAt: job.firstReportedFinalAt,
    result: job.result,
    imageFile: job.imageFile,
  }
}
