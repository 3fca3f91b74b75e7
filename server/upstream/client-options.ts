/** How the upstream client is set up, and what it tells its observers: what the client and its guards share. */
import type { Logger } from 'pino'
import type { CircuitBreaker } from './circuit-breaker.ts'
import type { UpstreamOperation, UpstreamOutcome } from './request.ts'
import type { RetryPolicy } from './retry.ts'

/** Settings of the upstream client. */
export interface UpstreamClientOptions {
  baseUrl: string
  submitTimeoutMs: number
  statusTimeoutMs: number
  imageTimeoutMs: number
  maxImageBytes: number
  /** Origins besides the upstream's own that an absolute image URL may point at. */
  allowedImageOrigins?: readonly string[]
  logger: Logger
  /** Told of every request's outcome and every drift, e.g. metrics. */
  observers?: readonly UpstreamObserver[]
  /** Repeats failed submit and status calls that are safe to repeat (see retry.ts); none when absent. */
  retry?: RetryPolicy
  /** Lets calls through while the upstream answers, refuses them fast while it does not. */
  circuit?: Pick<CircuitBreaker, 'admit' | 'settle'>
}

/** The kinds of drift: a status word we do not know, or a status answer in an unknown shape. */
export type DriftKind = 'unknown_status' | 'unknown_shape'

/** What the client reports as it talks to the upstream. */
export interface UpstreamObserver {
  /** One call (`submit`, `status` or `image`) ended with `outcome` (each attempt of a retried call counts). */
  request(endpoint: UpstreamOperation, outcome: UpstreamOutcome): void
  /** The upstream answered something new (counted every time; logged only the first time). */
  drift(kind: DriftKind): void
}
