/** Drives one job through the upstream: submit, poll at a fixed interval until final, download the image. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Worker } from '@akashgen/client/contract'
import { GatewayError } from '../errors.ts'
import type { UpstreamClient, UpstreamImage } from '../upstream/client.ts'
import type { UpstreamJobState } from '../upstream/status.ts'
import type { JobRecord } from './job-record.ts'

/** Consecutive "unknown job" answers tolerated: a job just submitted may briefly be unknown upstream. */
export const NOT_FOUND_RETRIES = 5
/** Consecutive failed status requests tolerated before the job fails (the deadline still bounds it all). */
export const STATUS_FAILURE_RETRIES = 5

/** How the runner reports progress back to the engine. */
export interface RunHooks {
  onSubmitted(upstreamJobId: string, queuePosition: number): void
  onProgress(state: {
    status: 'queued' | 'running'
    queuePosition: number
    worker: Worker | null
    elapsedS: number
  }): void
}

/** What a finished upstream job yields. */
export interface RunOutcome {
  image: UpstreamImage
  result: string
  elapsedS: number
}

/**
 * Runs `job` to completion. Resolves with the image, or throws: a GatewayError for upstream trouble, or the
 * signal's reason (the engine's cancel or deadline error) when `signal` aborts.
 */
export async function runUpstreamJob(
  job: JobRecord,
  upstream: UpstreamClient,
  pollIntervalMs: number,
  hooks: RunHooks,
  signal: AbortSignal,
): Promise<RunOutcome> {
  try {
    const submitted = await upstream.submit(job.request, signal)
    hooks.onSubmitted(submitted.upstreamJobId, submitted.queuePosition)
    const final = await pollUntilFinal(submitted.upstreamJobId, upstream, pollIntervalMs, hooks, signal)
    if (final.phase === 'failed') {
      throw new GatewayError('JOB_FAILED', `upstream job failed: ${final.result || final.rawStatus}`, {
        details: { upstreamStatus: final.rawStatus, reason: final.result },
      })
    }
    const image = await upstream.fetchImage(final.result, signal)
    return { image, result: final.result, elapsedS: final.elapsedS }
  } catch (error) {
    throw signal.aborted ? signal.reason : error
  }
}

async function pollUntilFinal(
  upstreamJobId: string,
  upstream: UpstreamClient,
  pollIntervalMs: number,
  hooks: RunHooks,
  signal: AbortSignal,
): Promise<UpstreamJobState> {
  let unknownAnswers = 0
  let failedRequests = 0
  for (;;) {
    await sleep(pollIntervalMs, undefined, { signal })
    let state: UpstreamJobState | undefined
    try {
      state = (await upstream.status([upstreamJobId], signal)).jobs.get(upstreamJobId)
      failedRequests = 0
    } catch (error) {
      if (signal.aborted || ++failedRequests > STATUS_FAILURE_RETRIES) throw error
      continue
    }
    if (!state) {
      if (++unknownAnswers > NOT_FOUND_RETRIES) {
        throw new GatewayError('UPSTREAM_ERROR', `upstream does not know job ${upstreamJobId} any more`, {
          details: { upstreamJobId, reason: 'NOT_FOUND', tries: unknownAnswers },
        })
      }
      continue
    }
    unknownAnswers = 0
    if (state.phase === 'succeeded' || state.phase === 'failed') return state
    if (state.phase === 'waiting' || state.phase === 'running') {
      hooks.onProgress({
        status: state.phase === 'waiting' ? 'queued' : 'running',
        queuePosition: state.queuePosition,
        worker: state.worker,
        elapsedS: state.elapsedS,
      })
    }
  }
}
