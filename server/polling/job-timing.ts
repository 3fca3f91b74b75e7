/**
 * How long a finished job took, from what the poller saw itself, with the upstream's `elapsed_time` taken
 * only when it agrees. No public source says whether `elapsed_time` stops when a job ends, keeps counting, or
 * is there at all; a duration model fed a clock that keeps counting learns every job as ending when it was
 * seen ended, which makes the next polls later, which makes the next durations longer.
 */

/** What the poller saw of one job, in its own clock's milliseconds. */
export interface Sighting {
  /** When the job was submitted upstream (its tracking began). */
  submittedAt: number
  /** Middle of the last status request that found it unfinished, if one did. */
  unfinishedAt?: number
  /** When the status request that found it final was sent, and when its answer came. */
  sentAt: number
  answeredAt: number
  /** The upstream's `elapsed_time` in that answer (0 when absent). */
  elapsedS: number
}

/**
 * A growing `elapsed_time` read in an answer is at least the time from our submit to when that request left,
 * so a value this much below it (rounding of the upstream's milliseconds) can only come from a clock that
 * stopped at the job's end.
 */
const BEFORE_ASKED_MARGIN_MS = 2
/**
 * The upstream's clock starts when it takes the job, the poller's when the submit answer is back: a stopped
 * elapsed_time can exceed the bracket's end by that much (it is then taken as the end).
 */
const SUBMIT_ANSWER_MS = 20
/** Final answers a stopped clock vouches for: after this many with no such proof, values near the edge are doubted again. */
const TRUST_FOR_ANSWERS = 64

/** Turns sightings into durations, learning on the way whether the upstream's elapsed_time stops at the end. */
export class JobTiming {
  /** Final answers since one proved that elapsed_time stops at the end. */
  #sinceProof = Number.POSITIVE_INFINITY

  /**
   * The job's duration as [lo, hi] ms from submission: exact (lo = hi) when `elapsed_time` agrees with what
   * was seen, else the span between the last request that found it unfinished and the one that found it final
   * (each taken at its middle, half the round trip from either end).
   */
  durationOf(seen: Sighting): [number, number] {
    const lo = seen.unfinishedAt === undefined ? 0 : seen.unfinishedAt - seen.submittedAt
    const hi = Math.max(lo, (seen.sentAt + seen.answeredAt) / 2 - seen.submittedAt)
    this.#sinceProof++
    const elapsed = seen.elapsedS * 1000
    // Half a round trip either way, for where in the request the upstream read its clock.
    const slack = (seen.answeredAt - seen.sentAt) / 2 + 1
    if (!(elapsed > 0) || elapsed < lo - slack || elapsed > hi + slack + SUBMIT_ANSWER_MS) return [lo, hi]
    if (elapsed <= seen.sentAt - seen.submittedAt - BEFORE_ASKED_MARGIN_MS) this.#sinceProof = 0
    // Near the edge, a stopped clock and a running one read the same: take it only from a proven stopped one.
    if (this.#sinceProof >= TRUST_FOR_ANSWERS) return [lo, hi]
    const exact = Math.min(hi, Math.max(lo, elapsed))
    return [exact, exact]
  }
}
