/** Whether the upstream answers batched status requests completely, judged batch by batch. */

/** Batches that came back without ids the upstream knew, in a row, before batching stops for good. */
export const INCOMPLETE_BATCHES_BEFORE_FALLBACK = 3

/** Numbers batches and counts incomplete ones; once too many come in a row, batching is off for good. */
export class BatchHealth {
  #batching = true
  #incompleteInRow = 0
  #issued = 0
  #lastCounted = 0

  /** True while status requests may carry several ids. */
  get batching(): boolean {
    return this.#batching
  }

  /** A number for a new batched request. */
  issue(): number {
    return ++this.#issued
  }

  /** A batch that answered every id it asked about: the run of incomplete ones is broken. */
  complete(): void {
    this.#incompleteInRow = 0
  }

  /**
   * An id missing from `batch` was found when asked alone: that batch was incomplete (counted once however
   * many ids it lost). True when this turned batching off.
   */
  incomplete(batch: number): boolean {
    if (batch <= this.#lastCounted) return false
    this.#lastCounted = batch
    if (!this.#batching || ++this.#incompleteInRow < INCOMPLETE_BATCHES_BEFORE_FALLBACK) return false
    this.#batching = false
    return true
  }
}
