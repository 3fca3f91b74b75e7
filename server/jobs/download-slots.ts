/** A cap on simultaneous upstream image downloads: the rest wait their turn in order, or give up on abort. */

/** Hands out `max` permits; a waiter whose signal aborts leaves the line with the signal's reason. */
export class DownloadSlots {
  readonly #max: number
  #inUse = 0
  readonly #waiting: Array<() => void> = []

  constructor(max: number) {
    this.#max = max
  }

  /** A release function (call it once) when a permit is free right now, else undefined (nothing waits). */
  tryAcquire(): (() => void) | undefined {
    if (this.#inUse >= this.#max) return undefined
    this.#inUse++
    return this.#releaser()
  }

  /** Resolves with a release function (call it once) when a permit is free; rejects when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason)
    const release = this.tryAcquire()
    if (release) return Promise.resolve(release)
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort)
        resolve(this.#releaser())
      }
      const onAbort = () => {
        const at = this.#waiting.indexOf(grant)
        if (at >= 0) this.#waiting.splice(at, 1)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiting.push(grant)
    })
  }

  /** Downloads running now, and callers waiting for one. */
  get counts(): { inUse: number; waiting: number } {
    return { inUse: this.#inUse, waiting: this.#waiting.length }
  }

  #releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      // The permit passes straight to the next in line, so inUse never dips below a busy cap.
      const next = this.#waiting.shift()
      if (next) next()
      else this.#inUse--
    }
  }
}
