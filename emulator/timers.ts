// Timeouts owned by one emulator, so close() can clear every one of them.

/** A set of pending timeouts that can all be cleared at once. */
export class TimerSet {
  #timers = new Set<NodeJS.Timeout>()
  #closed = false

  /** Runs fn after ms unless the set is cleared first. */
  after(ms: number, fn: () => void): void {
    if (this.#closed) return
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      fn()
    }, ms)
    this.#timers.add(timer)
  }

  /** Resolves after ms; never resolves if the set is cleared first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve))
  }

  /** True once clear() has run. */
  get closed(): boolean {
    return this.#closed
  }

  /** Clears every pending timeout and refuses new ones. */
  clear(): void {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }
}
