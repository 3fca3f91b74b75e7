/** Reading one status answer: each asked job is delivered, retried alone, or given up as unknown upstream. */
import type { Logger } from 'pino'
import { GatewayError } from '../errors.ts'
import type { StatusAnswer, UpstreamJobState } from '../upstream/status.ts'
import type { BatchHealth } from './batch-health.ts'
import type { DurationModel } from './duration-model.ts'
import { JobTiming } from './job-timing.ts'
import type { TrackedJob, TrackedJobs } from './tracked-jobs.ts'

/** Consecutive "unknown job" answers tolerated: a job just submitted may briefly be unknown upstream. */
export const NOT_FOUND_RETRIES = 5

/** When a status request left and when its answer came. */
export interface RoundTrip {
  sentAt: number
  answeredAt: number
}

/** What reading answers needs from the poller that owns it. */
export interface StatusAnswerContext {
  jobs: TrackedJobs
  batches: BatchHealth
  model: DurationModel
  logger: Logger
  coldIntervalMs: number
}

/** Applies status answers to the jobs they were about, teaching the duration model from every final one. */
export class StatusAnswerReader {
  readonly #timing = new JobTiming()
  readonly #context: StatusAnswerContext

  constructor(context: StatusAnswerContext) {
    this.#context = context
  }

  /** Takes the answer to one request about `jobs`, sent and answered at the times in `roundTrip`. */
  take(jobs: TrackedJob[], answer: StatusAnswer, roundTrip: RoundTrip): void {
    const { batches, logger } = this.#context
    const batch = jobs.length > 1 ? batches.issue() : undefined
    const at = roundTrip.answeredAt
    let missing = 0
    for (const job of jobs) {
      job.inFlight = false
      if (!this.#context.jobs.has(job.id)) continue
      const state = answer.jobs.get(job.id)
      if (!state) {
        missing++
        if (batch !== undefined && job.known) Object.assign(job, { askAlone: true, droppedFrom: batch })
        else this.#unknown(job, at)
        continue
      }
      if (job.askAlone && job.droppedFrom !== undefined && batches.incomplete(job.droppedFrom)) {
        logger.warn('upstream answers batches incompletely: one id per status request from now on')
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
      this.#deliver(job, state, roundTrip)
    }
    if (batch !== undefined && missing === 0) batches.complete()
  }

  /** The upstream did not know the job: ask again alone, backing off (a quarter of the cold interval, doubling). */
  #unknown(job: TrackedJob, at: number): void {
    job.askAlone = false
    job.droppedFrom = undefined
    if (++job.unknownAnswers > NOT_FOUND_RETRIES) {
      job.settle({ error: lost(job.id, job.unknownAnswers) })
      return
    }
    job.checkedAt = at
    job.forceAt = at + (this.#context.coldIntervalMs / 4) * 2 ** (job.unknownAnswers - 1)
  }

  #deliver(job: TrackedJob, state: UpstreamJobState, roundTrip: RoundTrip): void {
    if (state.phase === 'succeeded' || state.phase === 'failed') {
      const { submittedAt, unfinishedAt } = job
      this.#context.model.record(
        ...this.#timing.durationOf({ ...roundTrip, submittedAt, unfinishedAt, elapsedS: state.elapsedS }),
      )
      job.settle({ state })
      return
    }
    job.unfinishedAt = (roundTrip.sentAt + roundTrip.answeredAt) / 2
    job.waitingPlace = state.phase === 'waiting' && state.queuePosition > 0 ? state.queuePosition : undefined
    job.onState(state)
  }
}

function lost(upstreamJobId: string, tries: number): GatewayError {
  return new GatewayError('UPSTREAM_ERROR', `upstream does not know job ${upstreamJobId} any more`, {
    details: { upstreamJobId, reason: 'NOT_FOUND', tries },
  })
}
