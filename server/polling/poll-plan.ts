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
const STILL_TO_COME = 0.3
/** ...or until it expects this many times its fair share of finds (jobs ending per second over the cap)... */
const FAIR_SHARES = 1.5
/** ...or this share of the jobs in flight. */
const NEARLY_ALL = 0.9

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

/** What the cap rule needs beyond the jobs and their chances. */
export interface CapContext {
  now: number
  model: DurationModel
  /** The cap: status requests per second. */
  statusRps: number
  coldIntervalMs: number
  dueGapMs: number
}

/**
 * False while a request should wait for more jobs to end, which only happens when the cap, not the jobs,
 * limits how often the poller may ask: more jobs finish per second than requests are allowed. A request then
 * waits until the jobs likely done are nearly all that would be done by the next request the cap allows, or
 * until it carries well over its share of the finds, or nearly every job in flight is likely done (when the
 * model is vague, as when jobs are seen only once, finished, its share can be out of reach). Jobs that end
 * together are seen in one answer, their slots refill together and the next jobs end together again; asking
 * at the first likely finish splits them over two answers, and the second waits for the cap.
 */
export function worthAskingUnderTheCap(chances: Likelihood[], context: CapContext): boolean {
  const { now, model, statusRps, coldIntervalMs, dueGapMs } = context
  const typicalMs = model.ready ? model.median() : undefined
  if (typicalMs === undefined) return true
  let running = 0
  let expected = 0
  let expectedByNextRequest = 0
  const nextRequestAt = now + 1000 / statusRps
  for (const { job, p } of chances) {
    if (job.waitingPlace === undefined) running++
    expected += p
    expectedByNextRequest += likelihood(job, nextRequestAt, model, coldIntervalMs, dueGapMs).p
  }
  const fairShare = (running * 1000) / typicalMs / statusRps
  if (fairShare < 1) return true
  const stillToCome = expectedByNextRequest - expected
  return stillToCome < STILL_TO_COME || expected >= Math.min(FAIR_SHARES * fairShare, NEARLY_ALL * running)
}
