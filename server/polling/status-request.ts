/** Sending one status request about some tracked jobs, and what its failure means for them. */
import { linkSignals } from '../abort-link.ts'
import type { StatusAnswer } from '../upstream/status.ts'
import type { Clock } from './clock.ts'
import type { RequestPacing } from './request-pacing.ts'
import type { StatusAnswerReader } from './status-answer.ts'
import type { TrackedJob } from './tracked-jobs.ts'

/** Consecutive failed status requests a job tolerates before it fails (its deadline bounds it anyway). */
export const STATUS_FAILURE_RETRIES = 5

/** Asks the upstream about some ids. */
export type StatusFetcher = (ids: readonly string[], signal: AbortSignal) => Promise<StatusAnswer>

/** What sending requests needs from the poller that owns it. */
export interface StatusRequestContext {
  fetchStatus: StatusFetcher
  pacing: RequestPacing
  answers: StatusAnswerReader
  clock: Clock
  /** Aborts every request in flight when the poller closes. */
  closing: AbortSignal
  /** Milliseconds until the upstream may be asked again (0: now). */
  pausedForMs: () => number
}

/** Sends status requests and hands each answer, or failure, to the jobs it asked about. */
export class StatusRequests {
  /** Requests sent and ids asked, for metrics and tests. */
  readonly sent = { requests: 0, ids: 0 }
  readonly #context: StatusRequestContext

  constructor(context: StatusRequestContext) {
    this.#context = context
  }

  /** Asks about `jobs` at `now`; settles when the answer or failure has been applied, and never rejects. */
  async send(jobs: TrackedJob[], now: number): Promise<void> {
    const { fetchStatus, pacing, clock, closing } = this.#context
    pacing.took(now)
    this.sent.requests++
    this.sent.ids += jobs.length
    for (const job of jobs) job.inFlight = true
    const ids = jobs.map((job) => job.id)
    let answer: StatusAnswer
    try {
      // A signal of its own per request: one derived from the long-lived closing signal would leak (abort-link.ts).
      const request = linkSignals(closing)
      answer = await fetchStatus(ids, request.signal).finally(request.unlink)
    } catch (error) {
      this.#failed(jobs, error)
      return
    }
    pacing.answered()
    this.#context.answers.take(jobs, answer, { sentAt: now, answeredAt: clock.now() })
  }

  #failed(jobs: TrackedJob[], error: unknown): void {
    const { pacing, clock, pausedForMs } = this.#context
    const at = clock.now()
    const paused = pausedForMs()
    // The upstream is down as a whole (this failure may have opened the breaker): wait for it, blame no job.
    if (paused > 0) {
      pacing.pauseUntil(at + paused)
      for (const job of jobs) job.inFlight = false
      return
    }
    pacing.failed(at, error)
    for (const job of jobs) {
      job.inFlight = false
      if (++job.failedRequests > STATUS_FAILURE_RETRIES) job.settle({ error })
    }
  }
}
