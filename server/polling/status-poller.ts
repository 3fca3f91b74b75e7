/** One poller per process: batched, rate-capped status requests for every in-flight upstream job. */

import type { Logger } from 'pino'
import { linkSignals } from '../abort-link.ts'
import { GatewayError } from '../errors.ts'
import type { StatusAnswer, UpstreamJobState } from '../upstream/status.ts'
import { BatchHealth } from './batch-health.ts'
import { type Clock, systemClock } from './clock.ts'
import { DurationModel } from './duration-model.ts'
import { JobTiming } from './job-timing.ts'
import { DUE_GAP_PER_JOB_MS, likelihood, type PlanJob, planRequest, possiblyDone } from './poll-plan.ts'
import { RateWindow } from './rate-window.ts'

/** Consecutive "unknown job" answers tolerated: a job just submitted may briefly be unknown upstream. */
export const NOT_FOUND_RETRIES = 5
/** Consecutive failed status requests a job tolerates before it fails (its deadline bounds it anyway). */
export const STATUS_FAILURE_RETRIES = 5
export { INCOMPLETE_BATCHES_BEFORE_FALLBACK } from './batch-health.ts'

/** Asks the upstream about some ids. */
export type StatusFetcher = (ids: readonly string[], signal: AbortSignal) => Promise<StatusAnswer>

/** Poller settings. */
export interface StatusPollerOptions {
  /** Hard cap: status requests in any one-second window. */
  statusRps: number
  /** Check cadence before the gateway has seen enough jobs finish to know how long they take. */
  coldIntervalMs: number
  maxIdsPerRequest?: number
  /** Expected finished-but-unseen jobs that justify a request: lower is fresher, higher is lighter. */
  threshold?: number
  tickMs?: number
  /**
   * Milliseconds until the upstream may be asked again (0: now), e.g. while the circuit breaker is open. The
   * poller sends nothing until then, and failures while it is positive are the outage's, not the jobs': they
   * count against no job (each job's deadline still bounds it).
   */
  pausedForMs?: () => number
}

/** Longest pause a status answer's Retry-After (429, 503) imposes on the poller. */
const MAX_RETRY_AFTER_MS = 10_000

/** When a status request left and when its answer came. */
interface Asked {
  sentAt: number
  answeredAt: number
}

interface Tracked extends PlanJob {
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

/** Watches upstream jobs until they are final, spending as few status requests as it can. */
export class StatusPoller {
  readonly #jobs = new Map<string, Tracked>()
  readonly #model = new DurationModel()
  readonly #timing = new JobTiming()
  readonly #window: RateWindow
  readonly #closing = new AbortController()
  readonly #options: Required<StatusPollerOptions>
  readonly #batches = new BatchHealth()
  #failuresInRow = 0
  #backoffUntil = 0
  #lastRequestAt = Number.NEGATIVE_INFINITY
  #timer: unknown
  /** Requests sent and ids asked, for metrics and tests. */
  readonly sent = { requests: 0, ids: 0 }

  readonly #fetchStatus: StatusFetcher
  readonly #logger: Logger
  readonly #clock: Clock

  constructor(
    fetchStatus: StatusFetcher,
    options: StatusPollerOptions,
    logger: Logger,
    clock: Clock = systemClock,
  ) {
    this.#fetchStatus = fetchStatus
    this.#logger = logger
    this.#clock = clock
    this.#options = { maxIdsPerRequest: 50, threshold: 0.55, tickMs: 10, pausedForMs: () => 0, ...options }
    this.#window = new RateWindow(options.statusRps)
  }

  /**
   * Sets this process's status-request cap from now on: replicas sharing one upstream split its budget, so
   * each calls this with its share as replicas come and go.
   */
  setStatusRps(statusRps: number): void {
    this.#options.statusRps = statusRps
    // A share under 1/s becomes one request per longer window; rounding down keeps the deployment under its cap.
    const windowS = statusRps < 1 ? Math.ceil(1 / statusRps) : 1
    this.#window.resize(Math.max(1, Math.floor(statusRps * windowS)), windowS * 1000)
  }

  /** Whether status requests still carry several ids (false once the upstream proved it answers only one). */
  get batching(): boolean {
    return this.#batches.batching
  }

  /** The typical upstream job as learned so far (median ms from submission to final), for tests and logs. */
  get typicalJobMs(): number | undefined {
    return this.#model.median()
  }

  /** Jobs being watched. */
  get size(): number {
    return this.#jobs.size
  }

  /** Resolves with the job's final state; `onState` sees every non-final answer; `signal` stops watching. */
  track(
    upstreamJobId: string,
    onState: (state: UpstreamJobState) => void,
    signal: AbortSignal,
  ): Promise<UpstreamJobState> {
    return new Promise((resolve, reject) => {
      const now = this.#clock.now()
      const onAbort = () => job.settle({ error: signal.reason })
      const job: Tracked = {
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
      this.#schedule()
    })
  }

  /** Stops every request in flight and the timer; jobs still tracked are left to their own signals. */
  close(): void {
    this.#closing.abort(new GatewayError('CANCELLED', 'the gateway is shutting down'))
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#jobs.size === 0 || this.#closing.signal.aborted) return
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      this.#pollIfWorthIt()
      this.#schedule()
    }, this.#options.tickMs)
  }

  #pollIfWorthIt(): void {
    const now = this.#clock.now()
    if (now < this.#backoffUntil || !this.#mayRequest(now)) return
    const paused = this.#options.pausedForMs()
    if (paused > 0) {
      this.#backoffUntil = now + paused
      return
    }
    const idle = [...this.#jobs.values()].filter((job) => !job.inFlight)
    // Jobs the upstream did not know are asked alone, at their backoff time; jobs lost from a batch at once.
    const retrying = (job: Tracked) => job.unknownAnswers > 0
    const lone =
      idle.find((job) => job.askAlone) ?? idle.find((job) => retrying(job) && now >= (job.forceAt ?? now))
    if (lone) return void this.#request([lone], now)
    const { coldIntervalMs, threshold, maxIdsPerRequest } = this.#options
    const candidates = idle.filter((job) => !retrying(job))
    const due = candidates.filter((job) => possiblyDone(job, now, this.#model)).length
    const dueGapMs = DUE_GAP_PER_JOB_MS * Math.max(1, due)
    const chances = candidates.map((job) => likelihood(job, now, this.#model, coldIntervalMs, dueGapMs))
    const chosen = planRequest(chances, threshold, this.#batches.batching ? maxIdsPerRequest : 1) as Tracked[]
    if (chosen.length > 0) void this.#request(chosen, now)
  }

  /**
   * Within the hard cap, requests are paced: none in the window allows a burst (dense checks near a lone
   * job's expected finish), a fuller window spreads them evenly so demand never starves the rest of it.
   */
  #mayRequest(now: number): boolean {
    if (this.#window.nextAllowedAt(now) > now) return false
    const fullness = this.#window.count(now) / this.#options.statusRps
    return now - this.#lastRequestAt >= (fullness * 1000) / this.#options.statusRps
  }

  async #request(jobs: Tracked[], now: number): Promise<void> {
    this.#window.take(now)
    this.#lastRequestAt = now
    this.sent.requests++
    this.sent.ids += jobs.length
    for (const job of jobs) job.inFlight = true
    const ids = jobs.map((job) => job.id)
    let answer: StatusAnswer
    try {
      // A signal of its own per request: one derived from the long-lived closing signal would leak (abort-link.ts).
      const request = linkSignals(this.#closing.signal)
      answer = await this.#fetchStatus(ids, request.signal).finally(request.unlink)
    } catch (error) {
      const at = this.#clock.now()
      const paused = this.#options.pausedForMs()
      // The upstream is down as a whole (this failure may have opened the breaker): wait for it, blame no job.
      if (paused > 0) {
        this.#backoffUntil = at + paused
        for (const job of jobs) job.inFlight = false
        return
      }
      this.#failuresInRow++
      const asked = Math.min(
        MAX_RETRY_AFTER_MS,
        ((error as GatewayError | undefined)?.retryAfterS ?? 0) * 1000,
      )
      this.#backoffUntil = at + Math.max(asked, Math.min(5000, 100 * 2 ** this.#failuresInRow))
      for (const job of jobs) {
        job.inFlight = false
        if (++job.failedRequests > STATUS_FAILURE_RETRIES) job.settle({ error })
      }
      return
    }
    this.#failuresInRow = 0
    const sent = { sentAt: now, answeredAt: this.#clock.now() }
    this.#takeAnswer(jobs, answer, sent, jobs.length > 1 ? this.#batches.issue() : undefined)
  }

  #takeAnswer(jobs: Tracked[], answer: StatusAnswer, asked: Asked, batch: number | undefined): void {
    const at = asked.answeredAt
    let missing = 0
    for (const job of jobs) {
      job.inFlight = false
      if (!this.#jobs.has(job.id)) continue
      const state = answer.jobs.get(job.id)
      if (!state) {
        missing++
        if (batch !== undefined && job.known) Object.assign(job, { askAlone: true, droppedFrom: batch })
        else this.#unknown(job, at)
        continue
      }
      if (job.askAlone && job.droppedFrom !== undefined && this.#batches.incomplete(job.droppedFrom)) {
        this.#logger.warn('upstream answers batches incompletely: one id per status request from now on')
      }
      Object.assign(job, {
        known: true,
        askAlone: false,
        droppedFrom: undefined,
        unknownAnswers: 0,
        failedRequests: 0,
        checkedAt: at,
        forceAt: undefined,
      })
      this.#deliver(job, state, asked)
    }
    if (batch !== undefined && missing === 0) this.#batches.complete()
  }

  /** The upstream did not know the job: ask again alone, backing off (a quarter of the cold interval, doubling). */
  #unknown(job: Tracked, at: number): void {
    job.askAlone = false
    job.droppedFrom = undefined
    if (++job.unknownAnswers > NOT_FOUND_RETRIES) {
      job.settle({ error: lost(job.id, job.unknownAnswers) })
      return
    }
    job.checkedAt = at
    job.forceAt = at + (this.#options.coldIntervalMs / 4) * 2 ** (job.unknownAnswers - 1)
  }

  #deliver(job: Tracked, state: UpstreamJobState, asked: Asked): void {
    if (state.phase === 'succeeded' || state.phase === 'failed') {
      const { submittedAt, unfinishedAt } = job
      this.#model.record(
        ...this.#timing.durationOf({ ...asked, submittedAt, unfinishedAt, elapsedS: state.elapsedS }),
      )
      job.settle({ state })
      return
    }
    job.unfinishedAt = (asked.sentAt + asked.answeredAt) / 2
    job.waitingPlace = state.phase === 'waiting' && state.queuePosition > 0 ? state.queuePosition : undefined
    job.onState(state)
  }
}

function lost(upstreamJobId: string, tries: number): GatewayError {
  return new GatewayError('UPSTREAM_ERROR', `upstream does not know job ${upstreamJobId} any more`, {
    details: { upstreamJobId, reason: 'NOT_FOUND', tries },
  })
}
