/** A rolling model of how long upstream jobs take, to judge how likely a job is done by a given age. */
import { type Mass, turnbull } from './turnbull.ts'

/** Samples kept: enough for a stable shape, few enough to follow a change in the upstream's speed. */
const MAX_SAMPLES = 64
/** Below this many samples the model knows nothing and the poller falls back to a fixed cadence. */
export const MIN_SAMPLES = 3
/**
 * Once the model is full, it is estimated again after this many new samples: a quarter of the window, so the
 * estimate still follows a change within a few seconds under load, while the EM (a fraction of a millisecond,
 * several when not yet optimised) runs four times less than every fourth job.
 */
const REESTIMATE_EVERY = 16

/**
 * Durations (ms from upstream submission to the final state) of the most recent jobs, each known exactly or
 * only to lie between two ages (interval-censored: the polls that saw it unfinished and then final). The
 * distribution is the nonparametric maximum-likelihood estimate over those intervals (turnbull.ts), so a
 * wide interval adds no false certainty and never drags the estimate to either of its edges.
 */
export class DurationModel {
  readonly #samples: Array<readonly [number, number]> = []
  #next = 0
  #estimate: Mass[] | undefined
  /** finishedBy() of the current estimate, built with it: the poller asks it for every job on every tick. */
  #finished: FinishedCurve | undefined
  #newSamples = 0

  /** Adds one finished job's duration: exactly `loMs`, or somewhere between `loMs` and `hiMs`. */
  record(loMs: number, hiMs = loMs): void {
    if (!Number.isFinite(loMs) || !Number.isFinite(hiMs) || loMs < 0 || hiMs < loMs) return
    if (this.#samples.length < MAX_SAMPLES) this.#samples.push([loMs, hiMs])
    else this.#samples[this.#next] = [loMs, hiMs]
    this.#next = (this.#next + 1) % MAX_SAMPLES
    this.#newSamples++
  }

  /** True once there are enough samples to estimate from. */
  get ready(): boolean {
    return this.#samples.length >= MIN_SAMPLES
  }

  /** The median duration (the middle of the interval holding it), or undefined before any sample. */
  median(): number | undefined {
    let sum = 0
    for (const { lo, hi, p } of this.#masses()) {
      sum += p
      if (sum > 0.5 + 1e-9) return (lo + hi) / 2
    }
    return undefined
  }

  /**
   * Share of jobs finished by `ageMs`. Each share of the estimate is spread evenly over its interval, at least
   * a small window around it, so the estimate rises smoothly instead of jumping at exact sample values.
   */
  finishedBy(ageMs: number): number {
    this.#masses()
    return (this.#finished as FinishedCurve).at(ageMs)
  }

  /** The youngest age at which a job may be done (finishedBy is 0 below it). */
  earliestFinish(): number {
    this.#masses()
    return (this.#finished as FinishedCurve).start
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

  #masses(): Mass[] {
    const full = this.#samples.length === MAX_SAMPLES
    if (this.#newSamples >= (full ? REESTIMATE_EVERY : 1) || !this.#estimate) {
      this.#estimate = turnbull(this.#samples)
      this.#finished = new FinishedCurve(this.#estimate)
      this.#newSamples = 0
    }
    return this.#estimate
  }
}

/**
 * The share of jobs finished by an age: each mass spread evenly over its interval, widened to at least a small
 * window around it (so the share rises smoothly instead of jumping at exact sample values). A sum of ramps is
 * piecewise linear, so it is kept as its breakpoints and read by binary search instead of summing every mass.
 */
export class FinishedCurve {
  /** Breakpoints in increasing order, with the share at each and the slope just after it. */
  readonly #points: number[] = []
  readonly #shares: number[] = []
  readonly #slopes: number[] = []
  readonly #total: number

  constructor(masses: readonly Mass[]) {
    const changes: Array<[at: number, slope: number]> = []
    let total = 0
    for (const { lo, hi, p } of masses) {
      const mid = (lo + hi) / 2
      const half = Math.max(10, mid * 0.04, (hi - lo) / 2)
      changes.push([mid - half, p / (2 * half)], [mid + half, -p / (2 * half)])
      total += p
    }
    this.#total = total
    changes.sort((a, b) => a[0] - b[0])
    let share = 0
    let slope = 0
    let last = changes[0]?.[0] ?? 0
    for (const [at, change] of changes) {
      share += slope * (at - last)
      slope += change
      last = at
      this.#points.push(at)
      this.#shares.push(share)
      this.#slopes.push(slope)
    }
  }

  /** The age below which the share is 0. */
  get start(): number {
    return this.#points[0] ?? Number.POSITIVE_INFINITY
  }

  /** The share finished by `ageMs`. */
  at(ageMs: number): number {
    let low = 0
    let high = this.#points.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((this.#points[middle] as number) <= ageMs) low = middle + 1
      else high = middle
    }
    if (low === 0) return 0
    const i = low - 1
    const share =
      (this.#shares[i] as number) + (this.#slopes[i] as number) * (ageMs - (this.#points[i] as number))
    return Math.min(this.#total, Math.max(0, share))
  }
}
