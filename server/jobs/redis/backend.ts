/** The Redis job backend (REDIS_URL): loaded by backend.ts only when it is set, with bullmq and ioredis. */
import type { Logger } from 'pino'
import { type Config, withoutCredentials } from '../../config.ts'
import { RedisIdempotencyStore } from '../../idempotency/redis-store.ts'
import type { BackendHooks, JobBackend } from '../job-backend.ts'
import { BullJobQueue } from './bullmq-queue.ts'
import { RedisClientShares } from './client-shares.ts'
import { connect, whenReady } from './connection.ts'
import { RedisJobStore } from './redis-store.ts'
import { Replicas } from './replicas.ts'

/** How long start-up waits for Redis before it gives up with one line. */
const START_TIMEOUT_MS = 10_000

/** The Redis backend: jobs, queue, idempotency and shares in Redis, shared by every replica. */
export async function createRedisBackend(
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
