/** The gateway's shutdown state, shared by every surface: draining first, then the grace period's end. */
import { GatewayError } from './errors.ts'

/** Seconds a caller refused during shutdown should wait: long enough for a restart or another replica. */
export const SHUTDOWN_RETRY_AFTER_S = 5

/** SHUTTING_DOWN (503, retryable) with `Retry-After`. */
export function shuttingDown(
  message = 'the gateway is shutting down: retry on another replica or after the restart',
): GatewayError {
  return new GatewayError('SHUTTING_DOWN', message, { retryAfterS: SHUTDOWN_RETRY_AFTER_S })
}

/**
 * Two phases. `begin()` (the signal): no new work, `/ready` answers 503, jobs in flight go on. `endGrace()` (the
 * jobs are done, or the grace period passed): whoever still waits for a job here is answered SHUTTING_DOWN.
 */
export class Shutdown {
  #started = false
  readonly #grace = new AbortController()
  /** Plain callbacks for the per-request waits: a Set costs less per request than an EventTarget listener. */
  readonly #onGraceOver = new Set<(reason: unknown) => void>()

  /** True from `begin()` on. */
  get started(): boolean {
    return this.#started
  }

  /** Aborts (with a SHUTTING_DOWN error as its reason) at the end of the grace period. */
  get graceOver(): AbortSignal {
    return this.#grace.signal
  }

  /**
   * Calls `listener` with the SHUTTING_DOWN reason when the grace period ends (at once if it has); the returned
   * function lets go of it.
   */
  whenGraceOver(listener: (reason: unknown) => void): () => void {
    if (this.#grace.signal.aborted) {
      listener(this.#grace.signal.reason)
      return () => {}
    }
    this.#onGraceOver.add(listener)
    return () => this.#onGraceOver.delete(listener)
  }

  /** Stops taking new work; idempotent. */
  begin(): void {
    this.#started = true
  }

  /** Ends the waits still pending on this process; idempotent. */
  endGrace(): void {
    this.#started = true
    if (this.#grace.signal.aborted) return
    this.#grace.abort(
      shuttingDown(
        'the gateway shut down before the job finished: retry (with the same Idempotency-Key to get the same job)',
      ),
    )
    const listeners = [...this.#onGraceOver]
    this.#onGraceOver.clear()
    for (const listener of listeners) listener(this.#grace.signal.reason)
  }
}
