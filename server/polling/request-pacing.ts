/** When the poller may send its next status request: the hard cap, even spacing, and backoff after failures. */
import type { GatewayError } from '../errors.ts'
import { RateWindow } from './rate-window.ts'

/** Longest pause a status answer's Retry-After (429, 503) imposes on the poller. */
const MAX_RETRY_AFTER_MS = 10_000

/** Keeps status requests under the cap, spread over each window, and held back while the upstream struggles. */
export class RequestPacing {
  readonly #window: RateWindow
  #statusRps: number
  #failuresInRow = 0
  #backoffUntil = 0
  #lastRequestAt = Number.NEGATIVE_INFINITY

  constructor(statusRps: number) {
    this.#statusRps = statusRps
    this.#window = new RateWindow(statusRps)
  }

  /** The cap: status requests per second. */
  get statusRps(): number {
    return this.#statusRps
  }

  /** Sets the cap from now on: status requests in any one-second window (a share of the deployment's). */
  setStatusRps(statusRps: number): void {
    this.#statusRps = statusRps
    // A share under 1/s becomes one request per longer window; rounding down keeps the deployment under its cap.
    const windowS = statusRps < 1 ? Math.ceil(1 / statusRps) : 1
    this.#window.resize(Math.max(1, Math.floor(statusRps * windowS)), windowS * 1000)
  }

  /**
   * Whether a request may leave at `now`. Within the hard cap, requests are paced: none in the window allows a
   * burst (dense checks near a lone job's expected finish), a fuller window spreads them evenly so demand never
   * starves the rest of it.
   */
  mayRequest(now: number): boolean {
    if (now < this.#backoffUntil || this.#window.nextAllowedAt(now) > now) return false
    const fullness = this.#window.count(now) / this.#statusRps
    return now - this.#lastRequestAt >= (fullness * 1000) / this.#statusRps
  }

  /** Counts a request leaving at `now` against the cap. */
  took(now: number): void {
    this.#window.take(now)
    this.#lastRequestAt = now
  }

  /** Sends nothing before `until`: the upstream is paused as a whole, which is no request's failure. */
  pauseUntil(until: number): void {
    this.#backoffUntil = until
  }

  /** A request failed at `at`: backs off exponentially, or as long as its Retry-After asks (capped). */
  failed(at: number, error: unknown): void {
    this.#failuresInRow++
    const asked = Math.min(MAX_RETRY_AFTER_MS, ((error as GatewayError | undefined)?.retryAfterS ?? 0) * 1000)
    this.#backoffUntil = at + Math.max(asked, Math.min(5000, 100 * 2 ** this.#failuresInRow))
  }

  /** A request was answered: the run of failures is over. */
  answered(): void {
    this.#failuresInRow = 0
  }
}
