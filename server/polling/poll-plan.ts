/** Deciding when a status request is worth sending, and which jobs it should ask about. */
import type { DurationModel } from './duration-model.ts'

/** Longest a running job goes without a status check, so progress stays fresh. */
export const MAX_GAP_MS = 5000
/**
 * Longest gap between checks of a job that may well be done (its age is past the fastest jobs seen), per
 * such job in flight. A lone job with a wide spread of durations would otherwise wait a large share of that
 * spread between checks; with many jobs the expected-finds rule asks more often anyway, so the gap widens
 * with their number and the requests per image stay low.
 */
export const DUE_GAP_PER_JOB_MS = 400
/** Share of past jobs that must have finished by a job's age for it to count as possibly done. */
const POSSIBLY_DONE = 0.02

/** True when the model says a job of this age may well be done already. */
export function possiblyDone(job: PlanJob, now: number, model: DurationModel): boolean {
  return (
    model.ready && job.waitingPlace === undefined && model.finishedBy(now - job.submittedAt) >= POSSIBLY_DONE
  )
}
/**
 * When the cap binds, a request waits until fewer than this many more jobs are expected to end before the next
 * request the cap allows (the jobs ending together are all in)...
 */
export const STILL_TO_COME = 0.3
/** ...or until it expects this many times its fair share of finds (jobs ending per second over the cap)... */
export const FAIR_SHARES = 1.5
/** ...or this share of the jobs in flight. */
export const NEARLY_ALL = 0.9

/** A job waiting upstream is checked this often per place in line (bounded by MAX_GAP_MS). */
export const WAITING_CHECK_PER_PLACE_MS = 500

/** What the plan needs to know about one tracked job. */
export interface PlanJob {
  id: string
  submittedAt: number
  /** When a status answer last told us about it (its submission time before the first answer). */
  checkedAt: number
  /** Set while the upstream says it is waiting in line: its place. */
  waitingPlace?: number
  /** Check it at this time whatever the model says (e.g. to ask again about a job the upstream did not know). */
  forceAt?: number
}

/** How likely a job is done since its last check, and whether it must be checked now regardless. */
export interface Likelihood {
  job: PlanJob
  p: number
  forced: boolean
}

/** Probability that `job` finished since its last check, from the duration model or, cold, a fixed cadence. */
export function likelihood(
  job: PlanJob,
  now: number,
  model: DurationModel,
  coldIntervalMs: number,
  dueGapMs = MAX_GAP_MS,
): Likelihood {
  const sinceCheck = now - job.checkedAt
  if (job.forceAt !== undefined) return { job, p: 0, forced: now >= job.forceAt }
  if (job.waitingPlace !== undefined) {
    const gap = Math.min(MAX_GAP_MS, Math.max(1, job.waitingPlace) * WAITING_CHECK_PER_PLACE_MS)
    return { job, p: 0, forced: sinceCheck >= gap }
  }
  // Cold, one request per interval covers every job: a cadence, not probabilities that add up per job.
  if (!model.ready) return { job, p: 0, forced: sinceCheck >= coldIntervalMs }
  const age = now - job.submittedAt
  const p = model.doneBetween(job.checkedAt - job.submittedAt, age)
  if (p === undefined) {
    // Older than every job we have seen: back off in proportion to its age.
    const gap = Math.min(MAX_GAP_MS, Math.max(coldIntervalMs, 0.2 * age))
    return { job, p: sinceCheck / gap, forced: sinceCheck >= gap }
  }
  const maxGap = possiblyDone(job, now, model) ? Math.min(dueGapMs, MAX_GAP_MS) : MAX_GAP_MS
  return { job, p, forced: sinceCheck >= maxGap }
}

/**
 * The jobs to ask about now, most likely finished first (then the longest unchecked), or none when a request
 * is not worth it yet: it is
 * when the expected number of finished-but-unseen jobs reaches `threshold`, or a job is due regardless.
 */
export function planRequest(all: Likelihood[], threshold: number, maxIds: number): PlanJob[] {
  if (all.length === 0) return []
  const expected = all.reduce((sum, entry) => sum + entry.p, 0)
  if (expected < threshold && !all.some((entry) => entry.forced)) return []
  return all
    .sort((a, b) => Number(b.forced) - Number(a.forced) || b.p - a.p || a.job.checkedAt - b.job.checkedAt)
    .slice(0, maxIds)
    .map((entry) => entry.job)
}
