/** One poller per process: batched, rate-capped status requests for every in-flight upstream job. */

import type { Logger } from 'pino'
import { GatewayError } from '../errors.ts'
import type { UpstreamJobState } from '../upstream/status.ts'
import { BatchHealth } from './batch-health.ts'
import { type Clock, systemClock } from './clock.ts'
import { DurationModel } from './duration-model.ts'
import {
  DUE_GAP_PER_JOB_MS,
  likelihood,
  MAX_GAP_MS,
  planRequest,
  possiblyDone,
  worthAskingUnderTheCap,
} from './poll-plan.ts'
import { RequestPacing } from './request-pacing.ts'
import { StatusAnswerReader } from './status-answer.ts'
import { type StatusFetcher, StatusRequests } from './status-request.ts'
import { type TrackedJob, TrackedJobs } from './tracked-jobs.ts'

export { INCOMPLETE_BATCHES_BEFORE_FALLBACK } from './batch-health.ts'
export { NOT_FOUND_RETRIES } from './status-answer.ts'
export { STATUS_FAILURE_RETRIES, type StatusFetcher } from './status-request.ts'

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

/** Watches upstream jobs until they are final, spending as few status requests as it can. */
export class StatusPoller {
  readonly #jobs = new TrackedJobs()
  readonly #model = new DurationModel()
  readonly #batches = new BatchHealth()
  readonly #pacing: RequestPacing
  readonly #requests: StatusRequests
  readonly #closing = new AbortController()
  readonly #options: Required<StatusPollerOptions>
  readonly #clock: Clock
  #timer: unknown
  /** No request can be worth sending before this time (no idle job may be done yet, none is due): no ticks. */
  #quietUntil = 0
  /** When the armed tick fires. */
  #timerAt = 0
  /** Requests sent and ids asked, for metrics and tests. */
  readonly sent: { requests: number; ids: number }

  constructor(
    fetchStatus: StatusFetcher,
    options: StatusPollerOptions,
    logger: Logger,
    clock: Clock = systemClock,
  ) {
    this.#clock = clock
    this.#options = { maxIdsPerRequest: 50, threshold: 0.55, tickMs: 10, pausedForMs: () => 0, ...options }
    const { coldIntervalMs, pausedForMs } = this.#options
    this.#pacing = new RequestPacing(options.statusRps)
    const answers = new StatusAnswerReader({
      jobs: this.#jobs,
      batches: this.#batches,
      model: this.#model,
      logger,
      coldIntervalMs,
    })
    this.#requests = new StatusRequests({
      fetchStatus,
      pacing: this.#pacing,
      answers,
      clock,
      closing: this.#closing.signal,
      pausedForMs,
    })
    this.sent = this.#requests.sent
  }

  /**
   * Sets this process's status-request cap from now on: replicas sharing one upstream split its budget, so
   * each calls this with its share as replicas come and go.
   */
  setStatusRps(statusRps: number): void {
    this.#pacing.setStatusRps(statusRps)
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
    const final = this.#jobs.add(upstreamJobId, onState, signal, this.#clock.now())
    this.#quietUntil = 0
    this.#schedule()
    return final
  }

  /** Stops every request in flight and the timer; jobs still tracked are left to their own signals. */
  close(): void {
    this.#closing.abort(new GatewayError('CANCELLED', 'the gateway is shutting down'))
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Arms the next tick: in `tickMs`, or at the end of a quiet stretch (re-armed sooner when it ends early). */
  #schedule(): void {
    if (this.#jobs.size === 0 || this.#closing.signal.aborted) return
    const now = this.#clock.now()
    const at = Math.max(now + this.#options.tickMs, Math.min(this.#quietUntil, now + MAX_GAP_MS))
    if (this.#timer !== undefined) {
      if (this.#timerAt <= at) return
      this.#clock.clearTimeout(this.#timer)
    }
    this.#timerAt = at
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      this.#pollIfWorthIt()
      this.#schedule()
    }, at - now)
  }

  #pollIfWorthIt(): void {
    const now = this.#clock.now()
    if (!this.#pacing.mayRequest(now)) return
    const paused = this.#options.pausedForMs()
    if (paused > 0) {
      this.#pacing.pauseUntil(now + paused)
      return
    }
    if (now < this.#quietUntil) return
    const chosen = this.#choose(now)
    if (chosen.length === 0) this.#quietUntil = this.#firstWorthAt()
    // An answer changes what is known (states, durations, jobs to ask alone): plan afresh after it.
    else void this.#requests.send(chosen, now).then(() => this.#wake())
  }

  #wake(): void {
    this.#quietUntil = 0
    this.#schedule()
  }

  /**
   * The first time a request could be worth sending as far as the idle jobs go, when the model knows how long
   * jobs take: none may be done before it and none is due. Under load most ticks fall in this quiet stretch
   * (a batch of jobs just started), and sleeping through it saves most of the poller's CPU and timers. 0 (plan
   * every tick) while the model is cold or a job needs asking on its own terms.
   */
  #firstWorthAt(): number {
    if (!this.#model.ready) return 0
    const earliest = this.#model.earliestFinish()
    let at = Number.POSITIVE_INFINITY
    for (const job of this.#jobs.idle()) {
      const special =
        job.forceAt !== undefined || job.askAlone || job.unknownAnswers > 0 || job.waitingPlace !== undefined
      if (special) return 0
      at = Math.min(at, job.submittedAt + earliest, job.checkedAt + MAX_GAP_MS)
    }
    return at
  }

  /** The jobs worth asking about at `now`, or none. */
  #choose(now: number): TrackedJob[] {
    const idle = this.#jobs.idle()
    // Jobs the upstream did not know are asked alone, at their backoff time; jobs lost from a batch at once.
    const retrying = (job: TrackedJob) => job.unknownAnswers > 0
    const lone =
      idle.find((job) => job.askAlone) ?? idle.find((job) => retrying(job) && now >= (job.forceAt ?? now))
    if (lone) return [lone]
    const { coldIntervalMs, threshold, maxIdsPerRequest } = this.#options
    const candidates = idle.filter((job) => !retrying(job))
    const due = candidates.filter((job) => possiblyDone(job, now, this.#model)).length
    const dueGapMs = DUE_GAP_PER_JOB_MS * Math.max(1, due)
    const chances = candidates.map((job) => likelihood(job, now, this.#model, coldIntervalMs, dueGapMs))
    const cap = { now, model: this.#model, statusRps: this.#pacing.statusRps, coldIntervalMs, dueGapMs }
    const worth = worthAskingUnderTheCap(chances, cap) ? threshold : Number.POSITIVE_INFINITY
    return planRequest(chances, worth, this.#batches.batching ? maxIdsPerRequest : 1) as TrackedJob[]
  }
}
