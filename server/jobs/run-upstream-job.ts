/** Drives one job through the upstream: submit, then the shared poller watches it until it is final. */
import { isFinalStatus, type Worker } from '@akashgen/contract'
import type { Logger } from 'pino'
import { GatewayError } from '../errors.ts'
import type { StatusPoller } from '../polling/status-poller.ts'
import type { UpstreamClient } from '../upstream/client.ts'
import { resolveImageReference } from '../upstream/image-reference.ts'
import { type JobRecord, recordEvent } from './job-record.ts'

/** What the runner reports while the job runs. */
export interface Progress {
  status: 'queued' | 'running'
  queuePosition: number
  worker: Worker | null
  elapsedS: number
}

/** How the runner reports progress back to the engine. */
export interface RunHooks {
  onSubmitted(upstreamJobId: string, queuePosition: number): void
  onProgress(progress: Progress): void
}

/** A change to a job's record, applied through the store; returns false when it changed nothing. */
export type RecordWrite = (mutate: (job: JobRecord) => boolean) => void

/** Hooks that write the runner's progress into the job's record through `write`, one event per visible change. */
export function recordingHooks(jobId: string, write: RecordWrite, logger: Logger): RunHooks {
  return {
    onSubmitted(upstreamJobId, queuePosition) {
      logger.info({ jobId, upstreamJobId, queuePosition }, 'job submitted upstream')
      write((job) => {
        job.upstreamJobId = upstreamJobId
        job.queuePosition = queuePosition
        recordEvent(job, Date.now())
        return true
      })
    },
    onProgress(progress) {
      write((job) => {
        if (isFinalStatus(job.status)) return false
        job.status = progress.status
        job.queuePosition = progress.queuePosition
        job.upstreamElapsedS = progress.elapsedS
        if (progress.worker) job.worker = progress.worker
        // Only visible changes are written: elapsed time alone is not worth a store write per poll.
        return recordEvent(job, Date.now())
      })
    },
  }
}

/** What a succeeded upstream job yields: where its image is, checked to be on the upstream's origin. */
export interface RunOutcome {
  result: string
  elapsedS: number
  worker: Worker | null
}

/**
 * Runs `job` to its final upstream state. Resolves with the image reference, or throws: a GatewayError for
 * upstream trouble, or the signal's reason (the engine's cancel or deadline error) when `signal` aborts.
 * `deadlineAt` (epoch ms) keeps submit retries from starting an attempt the job could not wait for.
 */
export async function runUpstreamJob(
  job: JobRecord,
  upstream: UpstreamClient,
  poller: StatusPoller,
  hooks: RunHooks,
  signal: AbortSignal,
  deadlineAt?: number,
): Promise<RunOutcome> {
  try {
    // A job another replica already submitted (it died since) is resumed by its upstream id, never sent twice.
    let upstreamJobId = job.upstreamJobId
    if (!upstreamJobId) {
      const submitted = await upstream.submit(job.request, signal, deadlineAt)
      upstreamJobId = submitted.upstreamJobId
      hooks.onSubmitted(upstreamJobId, submitted.queuePosition)
    }
    const final = await poller.track(
      upstreamJobId,
      (state) => {
        if (state.phase !== 'waiting' && state.phase !== 'running') return
        hooks.onProgress({
          status: state.phase === 'waiting' ? 'queued' : 'running',
          queuePosition: state.queuePosition,
          worker: state.worker,
          elapsedS: state.elapsedS,
        })
      },
      signal,
    )
    if (final.phase === 'failed') {
      throw new GatewayError('JOB_FAILED', `upstream job failed: ${final.result || final.rawStatus}`, {
        details: { upstreamStatus: final.rawStatus, reason: final.result },
      })
    }
    // Refuse an off-origin reference now, so a job never reports success with an image it can not serve.
    resolveImageReference(final.result, upstream.origin)
    return { result: final.result, elapsedS: final.elapsedS, worker: final.worker }
  } catch (error) {
    throw signal.aborted ? signal.reason : error
  }
}
