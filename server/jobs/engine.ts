/** JobEngine: the one path every surface takes: admission, the upstream run, deadlines, cancel, retention. */
import { randomUUID } from 'node:crypto'
import { type GenerateRequest, isFinalStatus } from '@akashgen/contract'
import { GatewayError } from '../errors.ts'
import { SHUTDOWN_RETRY_AFTER_S } from '../shutdown.ts'
import type { UpstreamImageStream } from '../upstream/client.ts'
import type { JobWebhookRecord } from '../webhooks/record.ts'
import { MemoryClientShares } from './client-shares.ts'
import type { EngineStats, JobEngineDeps } from './engine-types.ts'
import { followJob } from './followers.ts'
import type { StoredImage } from './image-cache.ts'
import { type Caller, type JobAccess, ownerFor, unknownJob, visibleTo } from './job-access.ts'
import { JobFeed } from './job-feed.ts'
import { JobImages } from './job-images.ts'
import type { JobEventRecord, JobRecord } from './job-record.ts'
import { deadlineError, HANDOVER, JobRunner } from './job-runner.ts'
import { JobShares } from './job-shares.ts'
import { QueuePlaces } from './queue-places.ts'
import { RecordWriter, statusFor } from './record-writer.ts'

export type { EngineStats, JobEngineDeps, JobObserver } from './engine-types.ts'

/** How long `cancel` waits for the replica running a job to report it final. */
const CANCEL_WAIT_MS = 5000

/** What a job cancelled by shutdown ends with: 503, retryable, with Retry-After. */
const shuttingDown = (jobId: string): GatewayError =>
  new GatewayError('SHUTTING_DOWN', 'job cancelled: the gateway is shutting down; retry', {
    details: { jobId },
    retryAfterS: SHUTDOWN_RETRY_AFTER_S,
  })

/** Runs jobs against the upstream and keeps their records; one instance per process. */
export class JobEngine {
  readonly #deps: JobEngineDeps
  readonly #writer: RecordWriter
  readonly #runner: JobRunner
  readonly #places: QueuePlaces
  /** Deadline timers of the jobs this process accepted, for the ones still waiting in line when it passes. */
  readonly #deadlines = new Map<string, NodeJS.Timeout>()
  readonly #feed: JobFeed
  readonly #images: JobImages
  readonly #shares: JobShares
  readonly #sweeper: NodeJS.Timeout
  /** Rolling mean of job durations in seconds, for Retry-After estimates. */
  #meanJobS = 20
  #closed: Promise<void> | undefined
  /** Resolvers of `idle()` calls waiting for `active` to reach 0. */
  readonly #idleWaiters = new Set<() => void>()

  constructor(deps: JobEngineDeps) {
    this.#deps = deps
    const { store, queue, logger, options } = deps
    this.#feed = new JobFeed({ require: (id) => this.require(id), read: (id) => this.get(id) }, logger)
    this.#shares = new JobShares(deps.shares ?? new MemoryClientShares(), {
      max: options.maxJobsPerClient ?? 0,
      jobTimeoutMs: options.jobTimeoutMs,
      retryAfterS: () => Math.max(1, Math.ceil(this.#meanJobS)),
      logger,
    })
    this.#writer = new RecordWriter(store, logger, (job) => {
      this.#shares.release(job)
      deps.observer?.finished(job)
      if (job.status === 'succeeded')
        this.#meanJobS = 0.9 * this.#meanJobS + 0.1 * (((job.finishedAt ?? 0) - job.createdAt) / 1000)
    })
    this.#places = new QueuePlaces(queue, this.#writer, logger)
    this.#runner = new JobRunner({
      ...deps,
      writer: this.#writer,
      jobTimeoutMs: options.jobTimeoutMs,
      onStarted: () => this.#places.renumber(),
      onEnded: () => this.#checkIdle(),
    })
    this.#images = new JobImages(
      {
        cacheBytes: options.imageCacheBytes,
        retentionMs: options.retentionMs,
        maxDownloads: options.maxImageDownloads,
        slotWaitMs: options.imageSlotWaitMs,
      },
      deps.upstream,
    )
    store.listen({
      changed: (jobId, record) => {
        if (!this.#feed.watches(jobId) && !this.#deadlines.has(jobId)) return
        const job = record()
        this.#feed.changed(job)
        if (isFinalStatus(job.status)) this.#clearDeadline(jobId)
      },
      stopRequested: (jobId, error) => this.#runner.abort(jobId, error),
      resync: () => void this.#feed.resync(),
    })
    queue.process((jobId) => this.#runner.run(jobId))
    // One sweeper for all records and cached images, rather than a timer per finished job.
    this.#sweeper = setInterval(() => {
      const now = Date.now()
      this.#images.sweep(now)
      // The next sweep tries again; a store that is away is reported by the calls that need it.
      void store.sweep(now).catch((error: unknown) => logger.warn({ err: error }, 'record sweep failed'))
    }, options.sweepIntervalMs).unref()
  }

  /**
   * Accepts a job for `caller` (its owner when keyed, and whose share it counts against): it starts at once or
   * waits in line. Throws CLIENT_LIMIT when the caller holds its share already, QUEUE_FULL when the line is full.
   * `webhook` (admitted by the webhooks service) is kept in the record for its deliveries.
   */
  async submit(request: GenerateRequest, caller?: Caller, webhook?: JobWebhookRecord): Promise<JobRecord> {
    const { store, queue, logger, options } = this.#deps
    const now = Date.now()
    const id = randomUUID()
    const owner = ownerFor(caller)
    const job: JobRecord = {
      id,
      request,
      ...(owner === undefined ? {} : { owner }),
      ...(caller === undefined ? {} : { client: caller.id }),
      status: 'queued',
      queuePosition: 0,
      worker: null,
      createdAt: now,
      events: [],
      ...(webhook === undefined ? {} : { webhook }),
    }
    // Its first event is logged once its place in line is known. Created before its share is taken: a share
    // is only ever cleaned up by its record being final or gone.
    await store.create(job)
    await this.#shares.take(job).catch(async (error: unknown) => {
      // Best effort: the refusal below is what the caller sees; an undiscarded record expires with retention.
      await store
        .discard(id)
        .catch((error: unknown) => logger.warn({ err: error, jobId: id }, 'discard failed'))
      throw error
    })
    // Only a full line refuses, so the wait is the whole line's work spread over every slot.
    const retryAfterS = Math.max(1, Math.ceil((this.#meanJobS * (queue.maxQueue + 1)) / queue.maxConcurrent))
    let place: number
    try {
      place = await queue.enqueue(id, retryAfterS)
    } catch (error) {
      // Best effort: the refusal below is what the caller sees; an undiscarded record expires with retention.
      await store
        .discard(id)
        .catch((error: unknown) => logger.warn({ err: error, jobId: id }, 'discard failed'))
      this.#shares.release(job)
      throw error
    }
    this.#deadlines.set(
      id,
      setTimeout(() => void this.#expireWaiting(id), options.jobTimeoutMs),
    )
    logger.info({ jobId: id, place }, 'job accepted')
    logger.debug({ jobId: id, request }, 'job request')
    return (await this.#places.place(id, place)) ?? job
  }

  /** The job's record while retained, else undefined. */
  get(jobId: string): Promise<JobRecord | undefined> {
    return this.#deps.store.get(jobId)
  }

  /**
   * The job's record; NOT_FOUND when unknown, expired, or not `caller`'s: every surface reads jobs through
   * here, so another key's job answers exactly what an unknown id does.
   */
  async require(jobId: string, caller?: Caller): Promise<JobRecord> {
    const job = await this.get(jobId)
    if (!job || !visibleTo(job, caller)) throw unknownJob(jobId)
    return job
  }

  /** Resolves with the record once the job is final; rejects with the signal's reason if `signal` aborts first. */
  waitForFinal(jobId: string, signal?: AbortSignal): Promise<JobRecord> {
    return this.#feed.final(jobId, signal)
  }

  /**
   * The job's events after `afterSeq`, then each new one as it happens, ending with the final one. A resume
   * with the last id seen gets exactly what it missed. Ends early (without error) when `signal` aborts.
   */
  events(jobId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<JobEventRecord> {
    return this.#feed.events(jobId, afterSeq, signal)
  }

  /**
   * Marks the job as followed (a waiting request or an open stream) until the returned function is called
   * (once; later calls do nothing). Followers on every replica count.
   */
  follow(jobId: string): () => void {
    return followJob(this.#deps.store, this.#deps.logger, jobId)
  }

  /** Cancels the job when nobody follows it any more, on any replica (its caller hung up); true when it did. */
  async abandon(jobId: string, reason: string): Promise<boolean> {
    const [followers, job] = await Promise.all([this.#deps.store.followers(jobId), this.require(jobId)])
    if (followers > 0 || isFinalStatus(job.status)) return false
    await this.cancel(jobId, { reason })
    return true
  }

  /**
   * A succeeded job's image as a stream: from the cache, or joined to the job's one upstream download; `keep`
   * leaves it in the byte-capped cache once whole.
   */
  async openImage(
    jobId: string,
    { caller, signal, keep = false }: JobAccess & { keep?: boolean } = {},
  ): Promise<UpstreamImageStream> {
    return this.#images.open(await this.require(jobId, caller), signal, keep)
  }

  /** A succeeded job's whole image, from the same shared download as openImage. */
  async image(jobId: string, { caller, signal }: JobAccess = {}): Promise<StoredImage> {
    return this.#images.whole(await this.require(jobId, caller), signal)
  }

  /**
   * Cancels a job that is not final yet, on whichever replica runs it; a final job is left as it is. Another
   * key's job is NOT_FOUND, and stays as it is.
   */
  async cancel(
    jobId: string,
    { caller, reason = 'cancelled by the caller' }: { caller?: Caller; reason?: string } = {},
  ): Promise<JobRecord> {
    const job = await this.require(jobId, caller)
    if (isFinalStatus(job.status)) return job
    await this.#stop(jobId, new GatewayError('CANCELLED', `job ${reason}`, { details: { jobId } }))
    const wait = AbortSignal.timeout(CANCEL_WAIT_MS)
    return this.waitForFinal(jobId, wait).catch(() => this.require(jobId))
  }

  /** Slots, line and retention counts. */
  async stats(): Promise<EngineStats> {
    const { queue, store } = this.#deps
    const [{ inUse, queued }, retained] = await Promise.all([queue.counts(), store.size()])
    return {
      slotsInUse: inUse,
      maxConcurrent: queue.maxConcurrent,
      queued,
      maxQueue: queue.maxQueue,
      retained,
    }
  }

  /** Number of jobs this process runs or accepted and are not final yet. */
  get active(): number {
    return new Set([...this.#runner.ids(), ...this.#deadlines.keys()]).size
  }

  /**
   * Resolves true once no job is active here (at once when none is), or false when `signal` aborts first:
   * shutdown waits on it for the jobs in flight, within its grace period.
   */
  idle(signal?: AbortSignal): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true)
    if (signal?.aborted) return Promise.resolve(false)
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        this.#idleWaiters.delete(onIdle)
        signal?.removeEventListener('abort', onAbort)
        resolve(idle)
      }
      const onIdle = () => done(true)
      const onAbort = () => done(false)
      this.#idleWaiters.add(onIdle)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Wakes the `idle()` waiters when the last active job has just left (called wherever one leaves). */
  #checkIdle(): void {
    if (this.#idleWaiters.size === 0 || this.active > 0) return
    for (const wake of [...this.#idleWaiters]) wake()
  }

  /**
   * Stops taking jobs; cancels with SHUTTING_DOWN (retryable: the caller may try again elsewhere) or hands over
   * (see `onClose`) the unfinished ones; stops the sweeper. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close()
    return this.#closed
  }

  async #close(): Promise<void> {
    clearInterval(this.#sweeper)
    const { queue, options } = this.#deps
    if (options.onClose === 'handover') {
      for (const jobId of this.#runner.ids()) this.#runner.abort(jobId, HANDOVER)
      for (const jobId of [...this.#deadlines.keys()]) this.#clearDeadline(jobId)
      await queue.close()
      return
    }
    const unfinished = new Set([...this.#runner.ids(), ...this.#deadlines.keys()])
    await Promise.all(
      [...unfinished].map((jobId) =>
        this.#stop(jobId, shuttingDown(jobId)).catch((error: unknown) =>
          this.#deps.logger.warn({ err: error, jobId }, 'could not stop the job at shutdown'),
        ),
      ),
    )
    await queue.close()
  }

  /** Stops a job wherever it is: here, waiting in line, or on the replica that runs it. */
  async #stop(jobId: string, error: GatewayError): Promise<void> {
    if (this.#runner.abort(jobId, error)) return
    // Recorded first: a replica that takes the job from the line from now on sees it and does not run it.
    await this.#deps.store.requestStop(jobId, error)
    if (await this.#deps.queue.withdraw(jobId)) {
      await this.#writer.finish(jobId, statusFor(error), error)
      this.#places.renumber()
    }
  }

  /** At a job's deadline: ends it if it still waits in line (a running job has its own timer). */
  async #expireWaiting(jobId: string): Promise<void> {
    this.#deadlines.delete(jobId)
    this.#checkIdle()
    const withdrawn = await this.#deps.queue.withdraw(jobId).catch((error: unknown) => {
      this.#deps.logger.warn(
        { err: error, jobId },
        'a job past its deadline could not be taken from the line',
      )
      return false
    })
    if (!withdrawn) return
    await this.#writer.finish(jobId, 'timed_out', deadlineError(this.#deps.options.jobTimeoutMs))
    this.#places.renumber()
  }

  #clearDeadline(jobId: string): void {
    clearTimeout(this.#deadlines.get(jobId))
    if (this.#deadlines.delete(jobId)) this.#checkIdle()
  }
}
