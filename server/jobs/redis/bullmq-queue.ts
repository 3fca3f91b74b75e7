/** The deployment-wide line for upstream slots on BullMQ: one global concurrency, stalled jobs resumed elsewhere. */
import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { GatewayError } from '../../errors.ts'
import type { JobQueue, QueueCounts, RunJob } from '../job-queue.ts'
import { reconnectDelayMs, storeCall } from './connection.ts'

/** Settings of the BullMQ queue. */
export interface BullQueueOptions {
  prefix: string
  maxConcurrent: number
  maxQueue: number
  /**
   * How long a replica's hold on a running job lasts without renewal: when a replica dies, its jobs go back in
   * line after about this long and another replica resumes them.
   */
  lockMs: number
  /** Where the worker opens its own (blocking) connection. */
  redisUrl: string
}

const QUEUE_NAME = 'generate'

/** A BullMQ queue whose worker runs this replica's share of the deployment's slots. */
export class BullJobQueue implements JobQueue {
  readonly maxConcurrent: number
  readonly maxQueue: number
  readonly #queue: Queue
  readonly #options: BullQueueOptions
  readonly #logger: Logger
  readonly #redis: Redis
  #worker: Worker | undefined

  /** `redis` serves the queue's commands; it must fail fast (no offline queue), so refusals are not hangs. */
  constructor(redis: Redis, options: BullQueueOptions, logger: Logger) {
    this.maxConcurrent = options.maxConcurrent
    this.maxQueue = options.maxQueue
    this.#options = options
    this.#logger = logger
    this.#redis = redis
    this.#queue = new Queue(QUEUE_NAME, { connection: redis, prefix: options.prefix })
    this.#queue.on('error', (error) => logger.debug({ err: error.message }, 'bullmq queue error'))
  }

  /** Sets the deployment-wide slot count (every replica sets the same value from its configuration). */
  async start(): Promise<void> {
    await storeCall(() => this.#queue.setGlobalConcurrency(this.maxConcurrent))
  }

  process(run: RunJob): void {
    const { redisUrl, prefix, maxConcurrent, lockMs } = this.#options
    this.#worker = new Worker(QUEUE_NAME, async (job) => run(job.id ?? ''), {
      connection: { url: redisUrl, retryStrategy: reconnectDelayMs, maxRetriesPerRequest: null },
      prefix,
      // The global concurrency caps the deployment; each replica may run every slot if others are idle.
      concurrency: maxConcurrent,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      // A job is resumed after each crash of the replica running it; its deadline bounds how often.
      maxStalledCount: 1000,
    })
    this.#worker.on('error', (error) => this.#logger.debug({ err: error.message }, 'bullmq worker error'))
    this.#worker.on('failed', (job, error) =>
      this.#logger.warn({ jobId: job?.id, err: error.message }, 'queue gave up on a job'),
    )
  }

  async enqueue(jobId: string, retryAfterS: number): Promise<number> {
    const { inUse, queued } = await this.counts()
    // Checked before adding, so replicas racing for the last places may overshoot by the number of racers.
    if (queued >= this.maxQueue) {
      throw new GatewayError(
        'QUEUE_FULL',
        `all ${this.maxConcurrent} upstream slots are busy and ${this.maxQueue} jobs are already waiting`,
        { details: { maxConcurrent: this.maxConcurrent, maxQueue: this.maxQueue }, retryAfterS },
      )
    }
    await storeCall(() =>
      this.#queue.add('generate', { jobId }, { jobId, removeOnComplete: true, removeOnFail: true }),
    )
    // Its place as of just before it was added: 0 when a slot was free for it.
    return inUse < this.maxConcurrent ? 0 : queued + 1
  }

  async withdraw(jobId: string): Promise<boolean> {
    const state = await storeCall(() => this.#queue.getJobState(jobId))
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false
    // 0 when a worker took it meanwhile (it holds the job's lock).
    return (await storeCall(() => this.#queue.remove(jobId))) === 1
  }

  async waitingIds(): Promise<string[]> {
    const { active, waiting } = await this.#snapshot()
    return waiting.slice(Math.max(0, this.maxConcurrent - active))
  }

  /**
   * A job BullMQ lists as waiting while a slot is free is about to take it, so it counts as in a slot: only
   * jobs beyond the free slots are in line.
   */
  async counts(): Promise<QueueCounts> {
    const { active, waiting } = await this.#snapshot()
    const total = active + waiting.length
    return { inUse: Math.min(this.maxConcurrent, total), queued: Math.max(0, total - this.maxConcurrent) }
  }

  /** Running and waiting jobs read in one atomic step, so a job moving between them is counted once. */
  async #snapshot(): Promise<{ active: number; waiting: string[] }> {
    const { active: activeKey = '', wait: waitKey = '' } = this.#queue.keys
    const replies = await storeCall(() => this.#redis.multi().llen(activeKey).lrange(waitKey, 0, -1).exec())
    const [[, active], [, waiting]] = (replies ?? []) as [[unknown, number], [unknown, string[]]]
    // New jobs are pushed on the left: the oldest is last.
    return { active, waiting: [...waiting].reverse() }
  }

  /** Closes the worker without waiting for running jobs: a replica that stops hands them over. */
  async close(): Promise<void> {
    // Shutdown goes on either way: a worker that fails to close loses its lock, and another replica takes over.
    await this.#worker
      ?.close(true)
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'bullmq worker did not close cleanly'))
    await this.#queue
      .close()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'bullmq queue did not close cleanly'))
  }
}
