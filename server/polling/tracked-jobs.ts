/** The jobs the poller watches: each one's promise and abort wiring, and what the poller has learned of it. */
import type { UpstreamJobState } from '../upstream/status.ts'
import type { PlanJob } from './poll-plan.ts'

/** One watched job: what the plan needs, plus the poller's own bookkeeping. */
export interface TrackedJob extends PlanJob {
  inFlight: boolean
  /** Seen in at least one answer: only then does missing from a batch say something about batching. */
  known: boolean
  askAlone: boolean
  /** The batch it went missing from, so one incomplete batch is counted once however many ids it lost. */
  droppedFrom?: number
  unknownAnswers: number
  failedRequests: number
  /** Middle of the last status request that found it unfinished. */
  unfinishedAt?: number
  onState(state: UpstreamJobState): void
  settle(result: { state: UpstreamJobState } | { error: unknown }): void
}

/** Every watched job by upstream id; a job leaves the moment it settles. */
export class TrackedJobs {
  readonly #jobs = new Map<string, TrackedJob>()

  /** Jobs being watched. */
  get size(): number {
    return this.#jobs.size
  }

  /** Whether the job is still watched (it may have settled while a request about it was out). */
  has(upstreamJobId: string): boolean {
    return this.#jobs.has(upstreamJobId)
  }

  /** Watched jobs no status request is asking about right now. */
  idle(): TrackedJob[] {
    return [...this.#jobs.values()].filter((job) => !job.inFlight)
  }

  /** Watches a job submitted at `now`: resolves with its final state, rejects when it fails or `signal` aborts. */
  add(
    upstreamJobId: string,
    onState: (state: UpstreamJobState) => void,
    signal: AbortSignal,
    now: number,
  ): Promise<UpstreamJobState> {
    return new Promise((resolve, reject) => {
      const onAbort = () => job.settle({ error: signal.reason })
      const job: TrackedJob = {
        id: upstreamJobId,
        submittedAt: now,
        checkedAt: now,
        inFlight: false,
        known: false,
        askAlone: false,
        unknownAnswers: 0,
        failedRequests: 0,
        onState,
        settle: (result) => {
          this.#jobs.delete(upstreamJobId)
          signal.removeEventListener('abort', onAbort)
          if ('state' in result) resolve(result.state)
          else reject(result.error)
        },
      }
      if (signal.aborted) return reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      this.#jobs.set(upstreamJobId, job)
    })
  }
}
