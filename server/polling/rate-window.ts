/** A sliding-window limit: at most `limit` events in any `windowMs`, never exceeded however bursty the demand. */

/** Counts recent events and says when the next one is allowed. */
export class RateWindow {
  readonly #times: number[] = []
  #limit: number
  #windowMs: number

  constructor(limit: number, windowMs = 1000) {
    this.#limit = limit
    this.#windowMs = windowMs
  }

  /** The earliest time an event may happen, given the events taken so far (`now` when there is room). */
  nextAllowedAt(now: number): number {
    this.#prune(now)
    if (this.#times.length < this.#limit) return now
    return (this.#times[0] ?? now) + this.#windowMs
  }

  /** Changes the limit from now on: at most `limit` events in any `windowMs`. */
  resize(limit: number, windowMs: number): void {
    this.#limit = limit
    this.#windowMs = windowMs
  }

  /** Events within the window ending at `now`. */
  count(now: number): number {
    this.#prune(now)
    return this.#times.length
  }

  /** Records an event at `now`; the caller checked nextAllowedAt first. */
  take(now: number): void {
    this.#prune(now)
    this.#times.push(now)
  }

  #prune(now: number): void {
    while (this.#times.length > 0 && (this.#times[0] ?? 0) <= now - this.#windowMs) this.#times.shift()
  }
}
