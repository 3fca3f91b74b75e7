/** What a job backend is (memory or Redis), apart from how either is made, so both makers can name it. */
import type { StoreHealth } from '@akashgen/contract'
import type { IdempotencyStore } from '../idempotency/store.ts'
import type { ClientShares } from './client-shares.ts'
import type { JobQueue } from './job-queue.ts'
import type { JobStore } from './store.ts'

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
