/** Drives one job through the upstream: submit, then the shared poller watches it until it is final. */
import type { Worker } from '@akashgen/client/contract'
import type { Logger } from 'pino'
import { GatewayError } from '../errors.ts'
import type { StatusPoller } from '../polling/status-poller.ts'
import type { UpstreamClient } from '../upstream/client.ts'
import { resolveImageReference } from '../upstream/image-reference.ts'
import type { JobRecord } from './job-record.ts'

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

/** Hooks that write the runner's progress into `job`, calling `changed` after each change. */
export function recordingHooks(job: JobRecord, changed: () => void, logger: Logger): RunHooks {
  return {
    onSubmitted(upstreamJobId, queuePosition) {
      job.upstreamJobId = upstreamJobId
      job.queuePosition = queuePosition
      logger.info({ jobId: job.id, upstreamJobId, queuePosition }, 'job submitted upstream')
      changed()
    },
    onProgress(progress) {
      job.status = progress.status
      job.queuePosition = progress.queuePosition
      job.upstreamElapsedS = progress.elapsedS
      if (progress.worker) job.worker = progress.worker
      changed()
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
 */
export async function runUpstreamJob(
  job: JobRecord,
  upstream: UpstreamClient,
  poller: StatusPoller,
  hooks: RunHooks,
  signal: AbortSignal,
): Promise<RunOutcome> {
  try {
    const submitted = await upstream.submit(job.request, signal)
    hooks.onSubmitted(submitted.upstreamJobId, submitted.queuePosition)
    const final = await poller.track(
      submitted.upstreamJobId,
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
