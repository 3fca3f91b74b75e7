/** The line for upstream slots, as the engine uses it: in memory here, BullMQ on Redis in redis/. */
import { Admission } from './admission.ts'

/** Runs one job that holds a slot; the slot is held until the returned promise settles. */
export type RunJob = (jobId: string) => Promise<void>

/** Slots in use and jobs waiting, for the whole deployment. */
export interface QueueCounts {
  inUse: number
  queued: number
}

/** Upstream slots and the bounded line for them. */
export interface JobQueue {
  readonly maxConcurrent: number
  readonly maxQueue: number
  /** Sets what runs a job once it has a slot. Call once, before the first `enqueue`. */
  process(run: RunJob): void
  /**
   * Puts the job in line (it starts at once when a slot is free); resolves with its 1-based place in line,
   * 0 when it starts at once. Throws QUEUE_FULL (with `retryAfterS`) when the line is full.
   */
  enqueue(jobId: string, retryAfterS: number): Promise<number>
  /** Takes a job that waits for a slot out of the line; false when it is not waiting (running, or gone). */
  withdraw(jobId: string): Promise<boolean>
  /** Ids of the waiting jobs, first in line first. */
  waitingIds(): Promise<string[]>
  counts(): Promise<QueueCounts>
  /** Stops taking jobs. */
  close(): Promise<void>
}

/** The line in this process's memory. */
export class MemoryJobQueue implements JobQueue {
  readonly #admission: Admission
  #run: RunJob = async () => {}

  constructor(maxConcurrent: number, maxQueue: number) {
    this.#admission = new Admission(maxConcurrent, maxQueue)
  }

  get maxConcurrent(): number {
    return this.#admission.maxConcurrent
  }

  get maxQueue(): number {
    return this.#admission.maxQueue
  }

  process(run: RunJob): void {
    this.#run = run
  }

  async enqueue(jobId: string, retryAfterS: number): Promise<number> {
    const admitted = this.#admission.admit(jobId, () => this.#start(jobId), retryAfterS)
    if (admitted === 'started') this.#start(jobId)
    return this.#admission.position(jobId)
  }

  async withdraw(jobId: string): Promise<boolean> {
    return this.#admission.withdraw(jobId)
  }

  async waitingIds(): Promise<string[]> {
    return this.#admission.waitingIds()
  }

  async counts(): Promise<QueueCounts> {
    return { inUse: this.#admission.inUse, queued: this.#admission.queued }
  }

  async close(): Promise<void> {}

  #start(jobId: string): void {
    void this.#run(jobId)
      // The runner writes its own failures into the job's record; here only the slot must come back.
      .catch(() => {})
      .finally(() => this.#admission.release())
  }
}
