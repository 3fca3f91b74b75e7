/** A simulated AkashGen status endpoint on a manual clock: the StatusFetcher the poller takes, with faults. */
import { pino } from 'pino'
import { GatewayError } from '../../server/errors.ts'
import {
  type StatusFetcher,
  StatusPoller,
  type StatusPollerOptions,
} from '../../server/polling/status-poller.ts'
import type { StatusAnswer, UpstreamJobState } from '../../server/upstream/status.ts'
import { ManualClock } from '../support/manual-clock.ts'

/** How one simulated job behaves, in manual-clock milliseconds from when it is added. */
export interface SimulatedJobSpec {
  /** Time spent running before the job is final. */
  runMs: number
  /** Time spent waiting in the upstream's line first, at `queuePosition`. */
  waitMs?: number
  queuePosition?: number
  /** Status requests that mention it before the upstream admits knowing it (Infinity: never). */
  unknownFor?: number
  outcome?: 'succeeded' | 'failed'
}

interface SimulatedJob extends Required<SimulatedJobSpec> {
  id: string
  submittedAt: number
  polls: number
}

/** One status request as the upstream received it. */
export interface SeenRequest {
  at: number
  ids: string[]
}

/** The upstream's side of status polling: jobs with finish times, every request it received, and faults. */
class SimulatedUpstream {
  /** 'first-only' answers only about the first id of each request, like the upstream's batching bug. */
  batch: 'complete' | 'first-only' = 'complete'
  /** The next this-many requests fail with UPSTREAM_ERROR. */
  failNext = 0
  /** Manual-clock time each request takes to be answered. */
  latencyMs = 0
  /** What `elapsed_time` does after the end: stops there, keeps counting, or is missing (0), like the emulator's. */
  elapsedTime: 'frozen' | 'growing' | 'absent' = 'frozen'
  readonly requests: SeenRequest[] = []
  readonly #jobs = new Map<string, SimulatedJob>()
  readonly #clock: ManualClock

  constructor(clock: ManualClock) {
    this.#clock = clock
  }

  /** Submits a job now. */
  add(id: string, spec: SimulatedJobSpec): void {
    const job = { waitMs: 0, queuePosition: 0, unknownFor: 0, outcome: 'succeeded' as const, ...spec }
    this.#jobs.set(id, { ...job, id, submittedAt: this.#clock.now(), polls: 0 })
  }

  /** When the job becomes final. */
  finishAt(id: string): number {
    const job = this.#job(id)
    return job.submittedAt + job.waitMs + job.runMs
  }

  /** Times of the requests that asked about `id`. */
  askedAt(id: string): number[] {
    return this.requests.filter((request) => request.ids.includes(id)).map((request) => request.at)
  }

  readonly fetchStatus: StatusFetcher = async (ids, signal) => {
    const at = this.#clock.now()
    this.requests.push({ at, ids: [...ids] })
    if (this.latencyMs > 0) await this.#sleep(this.latencyMs, signal)
    if (this.failNext > 0) {
      this.failNext--
      throw new GatewayError('UPSTREAM_ERROR', 'upstream status answered 502', { details: { status: 502 } })
    }
    const answered = this.batch === 'first-only' ? ids.slice(0, 1) : ids
    const answer: StatusAnswer = { shape: 'array', jobs: new Map() }
    for (const id of answered) {
      const job = this.#jobs.get(id)
      if (!job || ++job.polls <= job.unknownFor) continue
      answer.jobs.set(id, this.#stateOf(job))
    }
    return answer
  }

  #stateOf(job: SimulatedJob): UpstreamJobState {
    const age = this.#clock.now() - job.submittedAt
    const base = { jobId: job.id, worker: null, result: '', queuePosition: 0, elapsedS: 0 }
    if (this.elapsedTime !== 'absent') base.elapsedS = age / 1000
    if (age < job.waitMs)
      return { ...base, phase: 'waiting', rawStatus: 'waiting', queuePosition: job.queuePosition }
    if (age < job.waitMs + job.runMs) return { ...base, phase: 'running', rawStatus: 'pending' }
    const elapsedS = { frozen: job.waitMs + job.runMs, growing: age, absent: 0 }[this.elapsedTime] / 1000
    if (job.outcome === 'failed')
      return { ...base, phase: 'failed', rawStatus: 'failed', result: 'worker crashed', elapsedS }
    return {
      ...base,
      phase: 'succeeded',
      rawStatus: 'succeeded',
      result: `/api/image/${job.id}.webp`,
      elapsedS,
    }
  }

  #job(id: string): SimulatedJob {
    const job = this.#jobs.get(id)
    if (!job) throw new Error(`no simulated job ${id}`)
    return job
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(resolve, ms)
      signal.addEventListener(
        'abort',
        () => {
          this.#clock.clearTimeout(timer)
          reject(signal.reason)
        },
        { once: true },
      )
    })
  }
}

/** A tracked job as the test follows it: the states `onState` saw and how its promise ended. */
export interface FollowedJob {
  states: UpstreamJobState[]
  final?: UpstreamJobState
  error?: unknown
  /** Manual-clock time the promise settled. */
  settledAt?: number
  readonly settled: boolean
}

/** A poller on a manual clock in front of a simulated upstream, and a way to track jobs on both at once. */
export function simulate(options: Partial<StatusPollerOptions> = {}) {
  const clock = new ManualClock()
  const upstream = new SimulatedUpstream(clock)
  const poller = new StatusPoller(
    upstream.fetchStatus,
    { statusRps: 5, coldIntervalMs: 100, ...options },
    pino({ level: 'silent' }),
    clock,
  )
  /** Submits `id` upstream and tracks it; `signal` defaults to one never aborted. */
  const track = (id: string, spec: SimulatedJobSpec, signal = new AbortController().signal): FollowedJob => {
    upstream.add(id, spec)
    const followed: FollowedJob = {
      states: [],
      get settled() {
        return this.settledAt !== undefined
      },
    }
    poller
      .track(id, (state) => followed.states.push(state), signal)
      .then(
        (state) => {
          followed.final = state
        },
        (error: unknown) => {
          followed.error = error
        },
      )
      .finally(() => {
        followed.settledAt = clock.now()
      })
    return followed
  }
  /** Tracks `count` jobs of `runMs` one after the other, so the duration model learns how long jobs take. */
  const warmUp = async (count: number, runMs: (i: number) => number) => {
    for (let i = 0; i < count; i++) {
      const job = track(`warm-up-${i}`, { runMs: runMs(i) })
      await clock.advanceUntil(() => job.settled, 60_000)
    }
    await clock.advance(2000)
    upstream.requests.length = 0
  }
  return { clock, upstream, poller, track, warmUp }
}
