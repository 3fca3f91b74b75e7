/** Admission: a fixed number of upstream slots and a bounded FIFO queue of jobs waiting for one. */
import { GatewayError } from '../errors.ts'

/** Hands out slots in arrival order; refuses with QUEUE_FULL instead of ever waiting without bound. */
export class Admission {
  readonly maxConcurrent: number
  readonly maxQueue: number
  #inUse = 0
  /** Waiting jobs in arrival order, each with the function that starts it once it has a slot. */
  readonly #waiting = new Map<string, () => void>()

  constructor(maxConcurrent: number, maxQueue: number) {
    this.maxConcurrent = maxConcurrent
    this.maxQueue = maxQueue
  }

  get inUse(): number {
    return this.#inUse
  }

  get queued(): number {
    return this.#waiting.size
  }

  /**
   * Takes a slot at once when one is free ('started': the caller starts the job), else queues `start` to be
   * called when a slot frees up. Throws QUEUE_FULL when the queue is full; `retryAfterS` is the caller's
   * estimate of when a place frees up.
   */
  admit(jobId: string, start: () => void, retryAfterS: number): 'started' | 'queued' {
    if (this.#inUse < this.maxConcurrent) {
      this.#inUse++
      return 'started'
    }
    if (this.#waiting.size >= this.maxQueue) {
      throw new GatewayError(
        'QUEUE_FULL',
        `all ${this.maxConcurrent} upstream slots are busy and ${this.maxQueue} jobs are already waiting`,
        {
          details: { maxConcurrent: this.maxConcurrent, maxQueue: this.maxQueue },
          retryAfterS,
        },
      )
    }
    this.#waiting.set(jobId, start)
    return 'queued'
  }

  /** 1-based place of a waiting job, 0 when it is not waiting. */
  position(jobId: string): number {
    let place = 0
    for (const id of this.#waiting.keys()) {
      place++
      if (id === jobId) return place
    }
    return 0
  }

  /** Ids of the waiting jobs in order. */
  waitingIds(): string[] {
    return [...this.#waiting.keys()]
  }

  /** Takes a waiting job out of the queue (cancelled or timed out); false when it was not waiting. */
  withdraw(jobId: string): boolean {
    return this.#waiting.delete(jobId)
  }

  /** Gives a slot back and hands it to the longest-waiting job, if any. */
  release(): void {
    const next = this.#waiting.entries().next()
    if (next.done) {
      this.#inUse = Math.max(0, this.#inUse - 1)
      return
    }
    const [jobId, start] = next.value
    this.#waiting.delete(jobId)
    start()
  }
}
