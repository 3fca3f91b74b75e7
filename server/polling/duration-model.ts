/** A rolling model of how long upstream jobs take, to judge how likely a job is done by a given age. */

/** Samples kept: enough for a stable shape, few enough to follow a change in the upstream's speed. */
const MAX_SAMPLES = 64
/** Below this many samples the model knows nothing and the poller falls back to a fixed cadence. */
export const MIN_SAMPLES = 3

/** Durations (ms from upstream submission to the final state) of the most recent jobs. */
export class DurationModel {
  readonly #samples: number[] = []
  #next = 0

  /** Adds one finished job's duration. */
  record(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return
    if (this.#samples.length < MAX_SAMPLES) this.#samples.push(durationMs)
    else this.#samples[this.#next] = durationMs
    this.#next = (this.#next + 1) % MAX_SAMPLES
  }

  /** True once there are enough samples to estimate from. */
  get ready(): boolean {
    return this.#samples.length >= MIN_SAMPLES
  }

  /** The median duration, or undefined before any sample. */
  median(): number | undefined {
    if (this.#samples.length === 0) return undefined
    const sorted = [...this.#samples].sort((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)]
  }

  /**
   * Share of jobs finished by `ageMs`. Each sample counts as a small uniform window rather than a point, so
   * the estimate rises smoothly instead of jumping at exact sample values.
   */
  finishedBy(ageMs: number): number {
    if (this.#samples.length === 0) return 0
    let sum = 0
    for (const sample of this.#samples) {
      const half = Math.max(10, sample * 0.04)
      sum += Math.min(1, Math.max(0, (ageMs - (sample - half)) / (2 * half)))
    }
    return sum / this.#samples.length
  }

  /**
   * Probability that a job not done at age `fromMs` is done by age `toMs`. Undefined when the job is older
   * than (almost) every sample: the model has nothing to say and the caller treats the job as overdue.
   */
  doneBetween(fromMs: number, toMs: number): number | undefined {
    const before = this.finishedBy(fromMs)
    if (before > 0.99) return undefined
    return (this.finishedBy(toMs) - before) / (1 - before)
  }
}
