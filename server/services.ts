/** The long-lived parts of one gateway, built once and shared by every surface. */
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import type { Idempotency } from './idempotency/idempotency.ts'
import type { JobEngine } from './jobs/engine.ts'
import type { JobBackend } from './jobs/job-backend.ts'
import type { ImageBytesCounter } from './metrics/hooks.ts'
import type { Shutdown } from './shutdown.ts'
import type { CircuitBreaker } from './upstream/circuit-breaker.ts'
import type { UpstreamClient } from './upstream/client.ts'
import type { Webhooks } from './webhooks/webhooks.ts'

/** What routes and procedures work with. */
export interface AppServices {
  config: Config
  engine: JobEngine
  /** Where jobs live, for health and readiness. */
  store: Pick<JobBackend, 'health'>
  upstream: UpstreamClient
  /** The upstream's circuit breaker: whether the upstream is down, for health and readiness. */
  circuit: Pick<CircuitBreaker, 'state' | 'circuit' | 'retryInMs'>
  /** Counts the image bytes the routes send (a metric). */
  imageBytes: ImageBytesCounter
  /** Submits jobs once per `Idempotency-Key`. */
  idempotency: Idempotency
  /** Whether the gateway is shutting down: no new work, and the end of its grace period. */
  shutdown: Shutdown
  logger: Logger
  startedAt: number
  /** Checks generate requests' webhooks (`admit`) before their jobs are submitted. */
  webhooks: Pick<Webhooks, 'admit'>
}
