/** JobEngine: the one path every surface takes: admission, the upstream run, deadlines, cancel, retention. */
import { randomUUID } from 'node:crypto'
import { type GenerateRequest, isFinalStatus, type JobStatus } from '@akashgen/client/contract'
import type { Logger } from 'pino'
import { GatewayError, toGatewayError } from '../errors.ts'
import type { StatusPoller } from '../polling/status-poller.ts'
import type { UpstreamClient, UpstreamImageStream } from '../upstream/client.ts'
import { Admission, type SlotQueue } from './admission.ts'
import { Followers } from './followers.ts'
import { JobImages } from './job-images.ts'
import { type JobEventRecord, type JobRecord, recordEvent } from './job-record.ts'
import { JobWatchers } from './job-watchers.ts'
import { recordingHooks, runUpstreamJob } from './run-upstream-job.ts'
import type { JobStore, StoredImage } from './store.ts'

/** Engine settings, taken from the configuration. */
export interface JobEngineOptions {
  maxConcurrent: number
  maxQueue: number
  jobTimeoutMs: number
  /** How often finished records past retention are dropped. */
  sweepIntervalMs: number
}

/** What the engine works with. */
export interface JobEngineDeps {
  options: JobEngineOptions
  upstream: UpstreamClient
  poller: StatusPoller
  store: JobStore
  logger: Logger
  /** Slots and their line; in memory unless given. */
  slots?: SlotQueue
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
  readonly #deps: JobEngineDeps
  readonly #admission: SlotQueue
  readonly #running = new Map<string, { controller: AbortController; deadline: NodeJS.Timeout }>()
  readonly #watchers = new JobWatchers()
  readonly #followers = new Followers()
  readonly #images: JobImages
  readonly #sweeper: NodeJS.Timeout
  /** Rolling mean of job durations in seconds, for Retry-After estimates. */
  #meanJobS = 20

  constructor(deps: JobEngineDeps) {
    this.#deps = deps
    this.#images = new JobImages(deps.store, deps.upstream)
    this.#admission = deps.slots ?? new Admission(deps.options.maxConcurrent, deps.options.maxQueue)
    // One sweeper for all records, rather than a timer per finished job.
    this.#sweeper = setInterval(() => deps.store.sweep(Date.now()), deps.options.sweepIntervalMs).unref()
  }

  /** Accepts a job: it starts at once or waits in line. Throws QUEUE_FULL when the line is full. */
  submit(request: GenerateRequest): JobRecord {
    const now = Date.now()
    const job: JobRecord = {
      id: randomUUID(),
      request,
      status: 'queued',
      queuePosition: 0,
      worker: null,
      createdAt: now,
      events: [],
    }
    const { maxConcurrent, jobTimeoutMs } = this.#deps.options
    const retryAfterS = Math.max(
      1,
      Math.ceil((this.#meanJobS * (this.#admission.queued + 1)) / maxConcurrent),
    )
    const admitted = this.#admission.admit(job.id, () => this.#start(job), retryAfterS)
    this.#deps.store.put(job)
    const deadline = setTimeout(() => {
      const details = { timeoutMs: jobTimeoutMs }
      this.#stop(
        job,
        new GatewayError('JOB_TIMEOUT', `job did not finish within ${jobTimeoutMs} ms`, { details }),
      )
    }, jobTimeoutMs)
    this.#running.set(job.id, { controller: new AbortController(), deadline })
    this.#deps.logger.info({ jobId: job.id, admitted }, 'job accepted')
    this.#deps.logger.debug({ jobId: job.id, request }, 'job request')
    if (admitted === 'started') this.#start(job)
    else job.queuePosition = this.#admission.position(job.id)
    recordEvent(job, now)
    return job
  }

  /** The job's record while retained, else undefined. */
  get(jobId: string): JobRecord | undefined {
    return this.#deps.store.get(jobId)
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

  /**
   * The job's events after `afterSeq`, then each new one as it happens, ending with the final one. A resume
   * with the last id seen gets exactly what it missed. Ends early (without error) when `signal` aborts.
   */
  async *events(jobId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<JobEventRecord> {
    const job = this.require(jobId)
    let seen = afterSeq
    for (;;) {
      for (const event of job.events) {
        if (event.seq <= seen) continue
        seen = event.seq
        yield event
      }
      if (isFinalStatus(job.status) || signal.aborted) return
      await this.#watchers.next(job, signal).catch(() => undefined)
    }
  }

  /** Marks the job as followed (a waiting request or an open stream) until the returned function is called. */
  follow(jobId: string): () => void {
    return this.#followers.follow(jobId)
  }

  /** Cancels the job when nobody follows it any more (its caller hung up); true when it did. */
  abandon(jobId: string, reason: string): boolean {
    if (this.#followers.has(jobId) || isFinalStatus(this.require(jobId).status)) return false
    this.cancel(jobId, reason)
    return true
  }

  /** A succeeded job's image as a stream: from the cache, or straight from the upstream by its result. */
  openImage(jobId: string, signal?: AbortSignal): Promise<UpstreamImageStream> {
    return this.#images.open(this.require(jobId), signal)
  }

  /** A succeeded job's whole image, kept in the byte-capped cache for the next download. */
  image(jobId: string, signal?: AbortSignal): Promise<StoredImage> {
    return this.#images.whole(this.require(jobId), signal)
  }

  /** Cancels a job that is not final yet; a final job is left as it is. */
  cancel(jobId: string, reason = 'cancelled by the caller'): JobRecord {
    const job = this.require(jobId)
    this.#stop(job, new GatewayError('CANCELLED', `job ${reason}`, { details: { jobId } }))
    return job
  }

  /** Slots, queue and retention counts. */
  stats(): EngineStats {
    const { inUse, maxConcurrent, queued, maxQueue } = this.#admission
    return { slotsInUse: inUse, maxConcurrent, queued, maxQueue, retained: this.#deps.store.size() }
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
    const hooks = recordingHooks(job, () => this.#notify(job), this.#deps.logger)
    const { upstream, poller } = this.#deps
    runUpstreamJob(job, upstream, poller, hooks, entry.controller.signal).then(
      (outcome) => {
        if (isFinalStatus(job.status)) return
        job.upstreamResult = outcome.result
        job.upstreamElapsedS = outcome.elapsedS
        if (outcome.worker) job.worker = outcome.worker
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
    this.#deps.logger[level](
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
      if (!waiting) continue
      waiting.queuePosition = ++place
      this.#notify(waiting)
    }
  }

  #notify(job: JobRecord): void {
    recordEvent(job, Date.now())
    this.#watchers.notify(job)
  }
}
