/** JobEngine: the one path every surface takes: admission, the upstream run, deadlines, cancel, retention. */
import { randomUUID } from 'node:crypto'
import { type GenerateRequest, isFinalStatus, type JobStatus } from '@akashgen/client/contract'
import type { Logger } from 'pino'
import { GatewayError, toGatewayError } from '../errors.ts'
import type { UpstreamClient } from '../upstream/client.ts'
import { Admission } from './admission.ts'
import type { JobRecord } from './job-record.ts'
import { JobWatchers } from './job-watchers.ts'
import { type RunHooks, runUpstreamJob } from './run-upstream-job.ts'
import type { JobStore, StoredImage } from './store.ts'

/** Engine settings, taken from the configuration. */
export interface JobEngineOptions {
  maxConcurrent: number
  maxQueue: number
  jobTimeoutMs: number
  pollIntervalMs: number
  /** How often finished records past retention are dropped. */
  sweepIntervalMs: number
}

/** Counts for health and metrics. */
export interface EngineStats {
  slotsInUse: number
  maxConcurrent: number
  queued: number
  maxQueue: number
  retained: number
}

const STATUS_BY_CODE: Partial<Record<GatewayError['code'], JobStatus>> = {
  CANCELLED: 'cancelled',
  JOB_TIMEOUT: 'timed_out',
}

/** Runs jobs against the upstream and keeps their records; one instance per process. */
export class JobEngine {
  readonly #admission: Admission
  readonly #running = new Map<string, { controller: AbortController; deadline: NodeJS.Timeout }>()
  readonly #watchers = new JobWatchers()
  readonly #sweeper: NodeJS.Timeout
  /** Rolling mean of job durations in seconds, for Retry-After estimates. */
  #meanJobS = 20

  readonly #options: JobEngineOptions
  readonly #upstream: UpstreamClient
  readonly #store: JobStore
  readonly #logger: Logger

  constructor(deps: {
    options: JobEngineOptions
    upstream: UpstreamClient
    store: JobStore
    logger: Logger
  }) {
    this.#options = deps.options
    this.#upstream = deps.upstream
    this.#store = deps.store
    this.#logger = deps.logger
    this.#admission = new Admission(deps.options.maxConcurrent, deps.options.maxQueue)
    // One sweeper for all records, rather than a timer per finished job.
    this.#sweeper = setInterval(() => deps.store.sweep(Date.now()), deps.options.sweepIntervalMs).unref()
  }

  /** Accepts a job: it starts at once or waits in line. Throws QUEUE_FULL when the line is full. */
  submit(request: GenerateRequest): JobRecord {
    const job: JobRecord = {
      id: randomUUID(),
      request,
      status: 'queued',
      queuePosition: 0,
      worker: null,
      createdAt: Date.now(),
    }
    const { maxConcurrent, jobTimeoutMs } = this.#options
    const retryAfterS = Math.max(
      1,
      Math.ceil((this.#meanJobS * (this.#admission.queued + 1)) / maxConcurrent),
    )
    const admitted = this.#admission.admit(job.id, () => this.#start(job), retryAfterS)
    this.#store.put(job)
    const deadline = setTimeout(() => {
      const error = new GatewayError('JOB_TIMEOUT', `job did not finish within ${jobTimeoutMs} ms`, {
        details: { timeoutMs: jobTimeoutMs },
      })
      this.#stop(job, error)
    }, jobTimeoutMs)
    this.#running.set(job.id, { controller: new AbortController(), deadline })
    this.#logger.info({ jobId: job.id, admitted }, 'job accepted')
    this.#logger.debug({ jobId: job.id, request }, 'job request')
    if (admitted === 'started') this.#start(job)
    else job.queuePosition = this.#admission.position(job.id)
    return job
  }

  /** The job's record while retained, else undefined. */
  get(jobId: string): JobRecord | undefined {
    return this.#store.get(jobId)
  }

  /** The job's record; NOT_FOUND when unknown or expired. */
  require(jobId: string): JobRecord {
    const job = this.get(jobId)
    if (!job)
      throw new GatewayError('NOT_FOUND', `job ${jobId} is unknown or has expired`, { details: { jobId } })
    return job
  }

  /** Resolves with the record once the job is final; rejects with the signal's reason if `signal` aborts first. */
  waitForFinal(jobId: string, signal?: AbortSignal): Promise<JobRecord> {
    return this.#watchers.final(this.require(jobId), signal)
  }

  /** A succeeded job's image, from the cache or fetched again from the upstream by its result. */
  async image(jobId: string, signal?: AbortSignal): Promise<StoredImage> {
    const job = this.require(jobId)
    if (job.status !== 'succeeded' || !job.upstreamResult) {
      throw new GatewayError('NOT_FOUND', `job ${jobId} has no image (status ${job.status})`, {
        details: { jobId, status: job.status },
      })
    }
    const cached = this.#store.getImage(jobId)
    if (cached) return cached
    const image = await this.#upstream.fetchImage(job.upstreamResult, signal)
    this.#store.putImage(jobId, image)
    return image
  }

  /** Cancels a job that is not final yet; a final job is left as it is. */
  cancel(jobId: string, reason = 'cancelled by the caller'): JobRecord {
    const job = this.require(jobId)
    this.#stop(job, new GatewayError('CANCELLED', `job ${reason}`, { details: { jobId } }))
    return job
  }

  /** Slots, queue and retention counts. */
  stats(): EngineStats {
    return {
      slotsInUse: this.#admission.inUse,
      maxConcurrent: this.#admission.maxConcurrent,
      queued: this.#admission.queued,
      maxQueue: this.#admission.maxQueue,
      retained: this.#store.size(),
    }
  }

  /** Number of jobs not final yet. */
  get active(): number {
    return this.#running.size
  }

  /** Cancels every unfinished job and stops the sweeper. */
  close(reason = 'cancelled: the gateway is shutting down'): void {
    clearInterval(this.#sweeper)
    for (const jobId of [...this.#running.keys()]) {
      const job = this.get(jobId)
      if (job) this.#stop(job, new GatewayError('CANCELLED', reason, { details: { jobId } }))
    }
  }

  #start(job: JobRecord): void {
    const entry = this.#running.get(job.id)
    if (!entry) return
    job.startedAt = Date.now()
    job.queuePosition = 0
    this.#renumberQueue()
    this.#notify(job)
    const hooks: RunHooks = {
      onSubmitted: (upstreamJobId, queuePosition) => {
        job.upstreamJobId = upstreamJobId
        job.queuePosition = queuePosition
        this.#logger.info({ jobId: job.id, upstreamJobId, queuePosition }, 'job submitted upstream')
        this.#notify(job)
      },
      onProgress: (progress) => {
        job.status = progress.status
        job.queuePosition = progress.queuePosition
        job.upstreamElapsedS = progress.elapsedS
        if (progress.worker) job.worker = progress.worker
        this.#notify(job)
      },
    }
    const signal = entry.controller.signal
    runUpstreamJob(job, this.#upstream, this.#options.pollIntervalMs, hooks, signal).then(
      (outcome) => {
        if (isFinalStatus(job.status)) return
        job.upstreamResult = outcome.result
        job.upstreamElapsedS = outcome.elapsedS
        job.contentType = outcome.image.contentType
        this.#store.putImage(job.id, outcome.image)
        this.#finish(job, 'succeeded')
      },
      (error: unknown) => this.#stop(job, toGatewayError(error)),
    )
  }

  /** Ends a job that is not final yet with `error` (cancel, deadline or failure). */
  #stop(job: JobRecord, error: GatewayError): void {
    if (isFinalStatus(job.status)) return
    job.error = error
    const wasWaiting = this.#admission.withdraw(job.id)
    if (wasWaiting) this.#renumberQueue()
    this.#running.get(job.id)?.controller.abort(error)
    this.#finish(job, STATUS_BY_CODE[error.code] ?? 'failed', !wasWaiting)
  }

  #finish(job: JobRecord, status: JobStatus, heldSlot = true): void {
    job.status = status
    job.finishedAt = Date.now()
    job.queuePosition = 0
    const entry = this.#running.get(job.id)
    if (entry) clearTimeout(entry.deadline)
    this.#running.delete(job.id)
    if (status === 'succeeded')
      this.#meanJobS = 0.9 * this.#meanJobS + 0.1 * ((job.finishedAt - job.createdAt) / 1000)
    const level = status === 'succeeded' || status === 'cancelled' ? 'info' : 'warn'
    const { id: jobId, upstreamJobId, error } = job
    const ms = job.finishedAt - job.createdAt
    this.#logger[level](
      { jobId, upstreamJobId, status, ms, code: error?.code, reason: error?.message },
      'job finished',
    )
    if (heldSlot) this.#admission.release()
    this.#notify(job)
  }

  #renumberQueue(): void {
    let place = 0
    for (const id of this.#admission.waitingIds()) {
      const waiting = this.get(id)
      if (waiting) {
        waiting.queuePosition = ++place
        this.#notify(waiting)
      }
    }
  }

  #notify(job: JobRecord): void {
    this.#watchers.notify(job)
  }
}
