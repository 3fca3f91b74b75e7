/** Chooses where jobs live: this process's memory, or Redis (shared by every replica) when REDIS_URL is set. */
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { MemoryIdempotencyStore } from '../idempotency/store.ts'
import { MemoryClientShares } from './client-shares.ts'
import type { BackendHooks, JobBackend } from './job-backend.ts'
import { MemoryJobQueue } from './job-queue.ts'
import { MemoryJobStore } from './store.ts'

/** The in-memory backend, or the Redis one when `REDIS_URL` is set. */
export async function createJobBackend(
  config: Config,
  logger: Logger,
  hooks: BackendHooks,
): Promise<JobBackend> {
  if (config.REDIS_URL) {
    // Loaded only here: bullmq and ioredis cost a memory-mode gateway about 30 MiB and most of its start-up.
    const { createRedisBackend } = await import('./redis/backend.ts')
    return createRedisBackend(config.REDIS_URL, config, logger, hooks)
  }
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
