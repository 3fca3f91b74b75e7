/** Pending deliveries in BullMQ (REDIS_URL): they outlive the process, and any replica's worker runs them. */
import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { connect, reconnectDelayMs } from '../jobs/redis/connection.ts'
import type { DeliveryQueue, DeliveryTask } from './queue.ts'
import type { WebhookJobIndex } from './reconcile.ts'

const QUEUE_NAME = 'webhooks'
/** Attempts running at once in one replica: dead receivers (each attempt up to its timeout) leave room for others. */
const CONCURRENCY = 64
/** Most indexed jobs one reconcile pass reads. */
const MAX_LISTED = 1000

/** Settings of the delivery queue. */
export interface RedisDeliveryOptions {
  redisUrl: string
  prefix: string
  /** How long an attempt may hold its task before another replica takes it over (longer than any attempt). */
  lockMs: number
}

/** A BullMQ queue of delayed delivery tasks, with a worker in this replica; and the index of webhook jobs. */
export class RedisDeliveryQueue implements DeliveryQueue, WebhookJobIndex {
  readonly #queue: Queue
  readonly #options: RedisDeliveryOptions
  readonly #logger: Logger
  readonly #redis: Redis
  readonly #indexKey: string
  #worker: Worker | undefined

  /** Opens a connection for the queue's commands; the worker opens its own blocking one. */
  constructor(options: RedisDeliveryOptions, logger: Logger) {
    this.#options = options
    this.#logger = logger
    // Deliveries can wait for Redis to come back: commands queue while it is away instead of failing.
    this.#redis = connect(options.redisUrl, 'akashgen-webhooks', logger, { enableOfflineQueue: true })
    const redis = this.#redis
    this.#indexKey = `${options.prefix}:webhook-jobs`
    this.#queue = new Queue(QUEUE_NAME, { connection: redis, prefix: options.prefix })
    this.#queue.on('error', (error) => logger.debug({ err: error.message }, 'webhook queue error'))
  }

  async schedule(task: DeliveryTask, delayMs: number): Promise<void> {
    // A task id per attempt: scheduling the same attempt twice (a replica retrying) adds it once.
    const id = `${task.jobId}.${task.event}.${task.attempt}`
    await this.#queue.add('deliver', task, {
      jobId: id,
      delay: delayMs,
      removeOnComplete: true,
      removeOnFail: true,
    })
  }

  async add(jobId: string, expiresAt: number): Promise<void> {
    await this.#redis.zadd(this.#indexKey, expiresAt, jobId)
  }

  async list(now: number): Promise<string[]> {
    await this.#redis.zremrangebyscore(this.#indexKey, '-inf', now)
    return this.#redis.zrangebyscore(this.#indexKey, now, '+inf', 'LIMIT', 0, MAX_LISTED)
  }

  async remove(jobId: string): Promise<void> {
    await this.#redis.zrem(this.#indexKey, jobId)
  }

  process(run: (task: DeliveryTask) => Promise<void>): void {
    const { redisUrl, prefix, lockMs } = this.#options
    this.#worker = new Worker<DeliveryTask>(QUEUE_NAME, async (job) => run(job.data), {
      connection: { url: redisUrl, retryStrategy: reconnectDelayMs, maxRetriesPerRequest: null },
      prefix,
      concurrency: CONCURRENCY,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      // An attempt cut short by a dying replica is made again by another (at least once).
      maxStalledCount: 10,
    })
    this.#worker.on('error', (error) => this.#logger.debug({ err: error.message }, 'webhook worker error'))
  }

  /** Closes without waiting for attempts in flight: their tasks go back in line and run again elsewhere. */
  async close(): Promise<void> {
    await this.#worker
      ?.close(true)
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'webhook worker did not close cleanly'))
    await this.#queue
      .close()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'webhook queue did not close cleanly'))
    this.#redis.disconnect()
  }
}
