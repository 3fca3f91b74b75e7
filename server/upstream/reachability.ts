/** Whether the upstream answers, judged from the gateway's own recent requests to it (no extra probes). */
import type { UpstreamObserver } from './client.ts'
import type { UpstreamOutcome } from './request.ts'

/** `down`: the last few requests all failed to get an answer recently; `up`: the newest one got an answer. */
export type UpstreamState = 'up' | 'down' | 'unknown'

/** Outcomes that say the upstream could not answer at all (a 4xx or an odd body is still an answer). */
const UNREACHABLE: ReadonlySet<UpstreamOutcome> = new Set(['network', 'timeout', 'http_5xx'])

/** Settings: how many failures in a row, all within how long, make the upstream `down`. */
export interface ReachabilityOptions {
  failures?: number
  windowMs?: number
  now?: () => number
}

/** Keeps the newest outcomes of upstream requests; requests we cancelled ourselves say nothing and are ignored. */
export class UpstreamReachability implements UpstreamObserver {
  /** Consecutive failures that make the upstream `down`. */
  readonly failures: number
  /** They must all lie within this many milliseconds of now. */
  readonly windowMs: number
  readonly #now: () => number
  /** The newest outcomes, oldest first, at most `failures` of them. */
  #recent: { at: number; reached: boolean }[] = []

  constructor({ failures = 3, windowMs = 30_000, now = Date.now }: ReachabilityOptions = {}) {
    this.failures = failures
    this.windowMs = windowMs
    this.#now = now
  }

  request(_endpoint: string, outcome: UpstreamOutcome): void {
    if (outcome === 'cancelled') return
    this.#recent.push({ at: this.#now(), reached: !UNREACHABLE.has(outcome) })
    if (this.#recent.length > this.failures) this.#recent.shift()
  }

  drift(): void {}

  /**
   * `down` while the last `failures` requests all failed (network, timeout or 5xx) within the last `windowMs`;
   * `up` when the newest request got an answer; `unknown` otherwise (no requests lately, or too few failures).
   */
  state(): UpstreamState {
    const newest = this.#recent.at(-1)
    if (!newest) return 'unknown'
    if (newest.reached) return 'up'
    const since = this.#now() - this.windowMs
    const failing =
      this.#recent.length >= this.failures && this.#recent.every((r) => !r.reached && r.at >= since)
    return failing ? 'down' : 'unknown'
  }
}
