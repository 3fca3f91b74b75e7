/** Writes to job records in order per job, and the one way a job becomes final. */
import { isFinalStatus, type JobStatus } from '@akashgen/contract'
import type { Logger } from 'pino'
import type { GatewayError } from '../errors.ts'
import { type JobRecord, recordEvent } from './job-record.ts'
import type { JobStore } from './store.ts'

const STATUS_BY_CODE: Partial<Record<GatewayError['code'], JobStatus>> = {
  CANCELLED: 'cancelled',
  SHUTTING_DOWN: 'cancelled',
  JOB_TIMEOUT: 'timed_out',
}

/** The final status a job ends with when it stops with `error`. */
export const statusFor = (error: GatewayError): JobStatus => STATUS_BY_CODE[error.code] ?? 'failed'

/** Serialises this process's writes per job (progress must not overtake the final write) over a store. */
export class RecordWriter {
  readonly #store: JobStore
  readonly #logger: Logger
  readonly #pending = new Map<string, Promise<unknown>>()
  /** Called with each job this process made final. */
  readonly #onFinal: (job: JobRecord) => void

  constructor(store: JobStore, logger: Logger, onFinal: (job: JobRecord) => void) {
    this.#store = store
    this.#logger = logger
    this.#onFinal = onFinal
  }

  /** Applies `mutate` after this process's earlier writes to the job; resolves with the stored record. */
  write(jobId: string, mutate: (job: JobRecord) => boolean): Promise<JobRecord | undefined> {
    const before = this.#pending.get(jobId) ?? Promise.resolve()
    const written = before.then(() => this.#store.update(jobId, mutate))
    // One settle step for both outcomes (a failure is logged): each job start writes every place in line.
    const settled: Promise<void> = written.then(
      () => this.#settled(jobId, settled),
      (error: unknown) => {
        this.#logger.error({ err: error, jobId }, 'job record write failed')
        this.#settled(jobId, settled)
      },
    )
    this.#pending.set(jobId, settled)
    return written
  }

  /** Forgets the job's chain once its newest write is done. */
  #settled(jobId: string, settled: Promise<void>): void {
    if (this.#pending.get(jobId) === settled) this.#pending.delete(jobId)
  }

  /**
   * Makes the job final with `status` (and `error`), unless it already is; `apply` adds the outcome's facts.
   * Resolves with the record when this call ended the job, else undefined.
   */
  async finish(
    jobId: string,
    status: JobStatus,
    error?: GatewayError,
    apply: (job: JobRecord) => void = () => {},
  ): Promise<JobRecord | undefined> {
    let ended = false
    const job = await this.write(jobId, (current) => {
      ended = !isFinalStatus(current.status)
      if (!ended) return false
      apply(current)
      current.status = status
      current.error = error
      current.finishedAt = Date.now()
      current.queuePosition = 0
      recordEvent(current, current.finishedAt)
      return true
    })
    if (!job || !ended) return undefined
    const level = status === 'succeeded' || status === 'cancelled' ? 'info' : 'warn'
    const ms = (job.finishedAt ?? 0) - job.createdAt
    const { upstreamJobId } = job
    this.#logger[level](
      { jobId, upstreamJobId, status, ms, code: error?.code, reason: error?.message },
      'job finished',
    )
    this.#onFinal(job)
    return job
  }
}
