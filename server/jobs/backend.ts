/** Chooses where jobs live: this process's memory, or Redis (shared by every replica) when REDIS_URL is set. */
import type { StoreHealth } from '@akashgen/contract'
import type { Logger } from 'pino'
import { type Config, withoutCredentials } from '../config.ts'
import { RedisIdempotencyStore } from '../idempotency/redis-store.ts'
import { type IdempotencyStore, MemoryIdempotencyStore } from '../idempotency/store.ts'
import { type ClientShares, MemoryClientShares } from './client-shares.ts'
import { type JobQueue, MemoryJobQueue } from './job-queue.ts'
import { BullJobQueue } from './redis/bullmq-queue.ts'
import { RedisClientShares } from './redis/client-shares.ts'
import { connect, whenReady } from './redis/connection.ts'
import { RedisJobStore } from './redis/redis-store.ts'
import { Replicas } from './redis/replicas.ts'
import { type JobStore, MemoryJobStore } from './store.ts'

/** A store and a queue that belong together, and how to close them. */
export interface JobBackend {
  store: JobStore
  queue: JobQueue
  /** Idempotency-Key reservations, next to the jobs they name. */
  idempotency: IdempotencyStore
  /** Each client's jobs and event streams, for the per-client caps (deployment-wide on Redis). */
  shares: ClientShares
  /** True when other replicas share it (so a stopping replica hands its jobs over instead of cancelling). */
  shared: boolean
  health(): StoreHealth
  close(): Promise<void>
}

/** What the backend tells the rest of the gateway. */
export interface BackendHooks {
  /** The number of live replicas changed (Redis only); each one's share of the upstream budget moves. */
  onReplicas(live: number): void
}

/** The in-memory backend, or the Redis one when `REDIS_URL` is set. */
export async function createJobBackend(
  config: Config,
  logger: Logger,
  hooks: BackendHooks,
): Promise<JobBackend> {
  if (config.REDIS_URL) return createRedisBackend(config.REDIS_URL, config, logger, hooks)
  const store = new MemoryJobStore({ retentionMs: config.AKASHGEN_RETENTION_MS })
  const queue = new MemoryJobQueue(config.AKASHGEN_MAX_CONCURRENT, config.AKASHGEN_MAX_QUEUE)
  const idempotency = new MemoryIdempotencyStore()
  return {
    store,
    queue,
    idempotency,
    shares: new MemoryClientShares(),
    shared: false,
    health: () => ({ kind: 'memory', state: 'up' }),
    close: async () => idempotency.close(),
  }
}

/** How long start-up waits for Redis before it gives up with one line. */
const START_TIMEOUT_MS = 10_000

async function createRedisBackend(
  url: string,
  config: Config,
  logger: Logger,
  hooks: BackendHooks,
): Promise<JobBackend> {
  const prefix = config.AKASHGEN_REDIS_PREFIX
  const redis = connect(url, 'akashgen-commands', logger)
  const subscriber = connect(url, 'akashgen-events', logger)
  const replicas = new Replicas(redis, prefix, hooks.onReplicas)
  const store = new RedisJobStore(
    redis,
    subscriber,
    {
      prefix,
      replicaId: replicas.id,
      liveReplicas: () => replicas.liveIds(),
      retentionMs: config.AKASHGEN_RETENTION_MS,
      jobTimeoutMs: config.AKASHGEN_JOB_TIMEOUT_MS,
    },
    logger,
  )
  const queue = new BullJobQueue(
    redis,
    {
      prefix,
      maxConcurrent: config.AKASHGEN_MAX_CONCURRENT,
      maxQueue: config.AKASHGEN_MAX_QUEUE,
      lockMs: config.AKASHGEN_REDIS_LOCK_MS,
      redisUrl: url,
    },
    logger,
  )
  // Start-up waits for Redis: a gateway that starts while Redis is away would refuse everything anyway.
  await Promise.all([whenReady(redis, START_TIMEOUT_MS), whenReady(subscriber, START_TIMEOUT_MS)]).catch(
    (error: unknown) => {
      redis.disconnect()
      subscriber.disconnect()
      throw new Error(
        `cannot reach Redis at REDIS_URL=${withoutCredentials(url)}: ${(error as Error).message}`,
      )
    },
  )
  await Promise.all([store.start(), queue.start(), replicas.start()])
  return {
    store,
    queue,
    idempotency: new RedisIdempotencyStore(redis, prefix),
    shares: new RedisClientShares(redis, {
      prefix,
      replicaId: replicas.id,
      liveReplicas: () => replicas.liveIds(),
      streamTtlMs: config.AKASHGEN_JOB_TIMEOUT_MS + config.AKASHGEN_RETENTION_MS,
    }),
    shared: true,
    health: () => ({
      kind: 'redis',
      state: redis.status === 'ready' && subscriber.status === 'ready' ? 'up' : 'down',
      replicas: replicas.live,
    }),
    async close() {
      await replicas.stop()
      await store.close()
      redis.disconnect()
    },
  }
}
