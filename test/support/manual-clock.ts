/** A clock that only moves when a test says so, for driving timer-based code deterministically. */
import type { Clock } from '../../server/polling/clock.ts'

interface PendingTimer {
  id: number
  at: number
  callback: () => void
}

/** Lets every promise chain that is ready run: several macrotask turns, so awaited fetches resolve too. */
async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** A Clock whose time stands still until `advance`, which fires due timers in order and lets promises run. */
export class ManualClock implements Clock {
  #now: number
  #nextId = 1
  readonly #timers = new Map<number, PendingTimer>()

  constructor(start = 1_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number)
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size
  }

  /**
   * Moves time forward by `ms`, stopping at each due timer (earliest first, then in the order set): it jumps
   * to the timer's time, fires it, and lets promises settle before looking for the next one.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    for (;;) {
      const due = this.#earliest(end)
      if (!due) break
      this.#timers.delete(due.id)
      this.#now = due.at
      due.callback()
      await settle()
    }
    this.#now = end
    await settle()
  }

  /** Advances until `done()` holds, in steps of `stepMs`; throws once `limitMs` has passed without it. */
  async advanceUntil(done: () => boolean, limitMs: number, stepMs = 10): Promise<void> {
    const end = this.#now + limitMs
    while (!done()) {
      if (this.#now >= end) throw new Error(`still not done after ${limitMs} ms of manual time`)
      await this.advance(stepMs)
    }
  }

  #earliest(end: number): PendingTimer | undefined {
    let best: PendingTimer | undefined
    for (const timer of this.#timers.values()) {
      if (timer.at > end) continue
      if (!best || timer.at < best.at || (timer.at === best.at && timer.id < best.id)) best = timer
    }
    return best
  }
}
