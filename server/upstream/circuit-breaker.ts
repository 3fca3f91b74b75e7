/** One circuit breaker per process around the upstream: fail fast while it is down, probe it now and then. */
import type { UpstreamState } from '@akashgen/contract'
import type { Logger } from 'pino'
import { GatewayError } from '../errors.ts'
import type { UpstreamOperation, UpstreamOutcome } from './request.ts'

/** `closed`: calls go through; `open`: they fail fast; `half_open`: the cool-down is over, one probe may go. */
export type CircuitState = 'closed' | 'open' | 'half_open'

/** Outcomes that say the upstream could not answer at all (a 4xx or an odd body is still an answer). */
const UNANSWERED: ReadonlySet<UpstreamOutcome> = new Set(['network', 'timeout', 'http_5xx'])

/** How long a call refused while a probe is in flight is told to wait. */
const PROBE_WAIT_MS = 1000

/** Breaker settings. */
export interface CircuitBreakerOptions {
  /** Consecutive unanswered requests (network, timeout, 5xx) that open it... */
  failures: number
  /** ...all within this many milliseconds. */
  windowMs: number
  /** Time open before the first probe; doubled after each failed probe, up to `maxCooldownMs`. */
  cooldownMs: number
  maxCooldownMs: number
  logger?: Logger
  now?: () => number
}

/** A call let through by `admit`, to be handed back to `settle` with its outcome. */
export interface CircuitPermit {
  readonly probe: boolean
}

/**
 * Counts consecutive unanswered upstream requests; at `failures` within `windowMs` it opens. Open, it refuses
 * calls with 503 UPSTREAM_UNAVAILABLE (Retry-After: until the next probe); after the cool-down the next call is
 * the one probe (others are still refused): an answer closes it, a failure opens it again for twice as long.
 * It is the one source of truth for "the upstream is down" (readiness, /health, the poller's pause, metrics).
 */
export class CircuitBreaker {
  readonly failures: number
  readonly windowMs: number
  readonly #options: CircuitBreakerOptions
  readonly #now: () => number
  /** When each of the current run of unanswered requests ended (closed only). */
  #failedAt: number[] = []
  #lastAnswered: boolean | undefined
  #open = false
  #probeAt = 0
  #probing = false
  /** Opens since the last close: the cool-down doubles with each. */
  #opens = 0

  constructor(options: CircuitBreakerOptions) {
    this.#options = options
    this.failures = options.failures
    this.windowMs = options.windowMs
    this.#now = options.now ?? Date.now
  }

  /** The state now: `open` turns `half_open` by itself once the cool-down is over. */
  circuit(): CircuitState {
    if (!this.#open) return 'closed'
    return this.#now() >= this.#probeAt ? 'half_open' : 'open'
  }

  /**
   * For readiness: `down` while open and cooling down; `unknown` once a probe may go (a replica nobody sends
   * traffic to must become ready again, or it would never probe), before any request, or after a failure too few
   * to open it; `up` while closed and the newest request got an answer.
   */
  state(): UpstreamState {
    const circuit = this.circuit()
    if (circuit === 'open') return 'down'
    if (circuit === 'half_open') return 'unknown'
    return this.#lastAnswered ? 'up' : 'unknown'
  }

  /** Milliseconds until a call may be let through (0: now). */
  retryInMs(): number {
    if (!this.#open) return 0
    if (this.#probing) return PROBE_WAIT_MS
    return Math.max(0, this.#probeAt - this.#now())
  }

  /** Lets one call through, or throws 503 UPSTREAM_UNAVAILABLE. */
  admit(endpoint: UpstreamOperation): CircuitPermit {
    if (!this.#open) return { probe: false }
    if (this.#probing || this.#now() < this.#probeAt) throw this.#refusal(endpoint)
    this.#probing = true
    this.#options.logger?.info({ endpoint }, 'upstream circuit half-open: one probe let through')
    return { probe: true }
  }

  /** The outcome of a call `admit` let through. */
  settle(permit: CircuitPermit, outcome: UpstreamOutcome): void {
    if (outcome === 'cancelled' || outcome === 'circuit_open') {
      if (permit.probe) this.#probing = false
      return
    }
    const answered = !UNANSWERED.has(outcome)
    if (permit.probe) {
      this.#probing = false
      this.#lastAnswered = answered
      if (answered) this.#close()
      else this.#trip(outcome)
      return
    }
    // Calls let through before it opened say nothing new while it is open: only the probe decides.
    if (this.#open) return
    this.#lastAnswered = answered
    if (answered) {
      this.#failedAt = []
      return
    }
    const now = this.#now()
    this.#failedAt = this.#failedAt.filter((at) => at > now - this.windowMs)
    this.#failedAt.push(now)
    if (this.#failedAt.length >= this.failures) this.#trip(outcome)
  }

  #trip(outcome: UpstreamOutcome): void {
    const { cooldownMs, maxCooldownMs, logger } = this.#options
    const cooldown = Math.min(maxCooldownMs, cooldownMs * 2 ** this.#opens)
    const reopened = this.#open
    this.#open = true
    this.#opens++
    this.#failedAt = []
    this.#probeAt = this.#now() + cooldown
    logger?.warn(
      { outcome, cooldownMs: cooldown, failures: this.failures },
      reopened ? 'upstream circuit re-opened: the probe failed' : 'upstream circuit opened',
    )
  }

  #close(): void {
    this.#open = false
    this.#opens = 0
    this.#failedAt = []
    this.#options.logger?.info('upstream circuit closed: the probe got an answer')
  }

  #refusal(endpoint: UpstreamOperation): GatewayError {
    const retryInMs = this.retryInMs()
    return new GatewayError(
      'UPSTREAM_UNAVAILABLE',
      'the upstream is unavailable: its recent requests failed',
      {
        details: { operation: endpoint, circuit: this.circuit(), retryInMs },
        retryAfterS: Math.max(1, Math.ceil(retryInMs / 1000)),
      },
    )
  }
}
