/** Slots kept full on a manual clock: each job seen final hands its slot to the next after a short hand-over. */
import type { StatusPollerOptions } from '../../server/polling/status-poller.ts'
import { simulate } from './simulated-upstream.ts'

/** The loop's shape, in manual-clock milliseconds. */
export interface ClosedLoopOptions {
  elapsedTime: 'frozen' | 'growing' | 'absent'
  slots: number
  /** Each job runs `runMs` plus up to `runJitterMs` more. */
  runMs: number
  runJitterMs: number
  /** From a job seen final to its slot's next submission: uniform in this range (a submission's round trip). */
  handOverMs: [number, number]
  seconds: number
  /** The first seconds do not count: the poller is still learning how long jobs take. */
  warmUpSeconds: number
  seed: number
  poller?: Partial<StatusPollerOptions>
}

/** What the loop delivered after its warm-up. */
export interface ClosedLoopResult {
  jobsPerS: number
  statusRequestsPerS: number
  /** From a job's end to the poller seeing it final: the 99th percentile, after the warm-up. */
  lagP99Ms: number
}

/** A small deterministic generator, so a run is the same run every time. */
function seededRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff
    return state / 0x7fffffff
  }
}

/** Runs the loop for `seconds` of manual-clock time. */
export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { clock, upstream, track } = simulate({ coldIntervalMs: 500, statusRps: 5, ...options.poller })
  upstream.elapsedTime = options.elapsedTime
  upstream.latencyMs = 2
  const random = seededRandom(options.seed)
  const [handOverMin, handOverMax] = options.handOverMs
  const seenFinalAt: number[] = []
  const lags: number[] = []
  let submitted = 0
  const submit = () => {
    const id = `job-${submitted++}`
    const job = track(id, { runMs: options.runMs + random() * options.runJitterMs })
    const watch = () => {
      if (!job.settled) return void clock.setTimeout(watch, 1)
      seenFinalAt.push(clock.now())
      if (clock.now() >= countedFrom) lags.push(clock.now() - upstream.finishAt(id))
      clock.setTimeout(submit, handOverMin + random() * (handOverMax - handOverMin))
    }
    clock.setTimeout(watch, 1)
  }
  const countedFrom = clock.now() + options.warmUpSeconds * 1000
  for (let slot = 0; slot < options.slots; slot++) clock.setTimeout(submit, slot * 40)
  await clock.advance(options.seconds * 1000)
  const countedS = options.seconds - options.warmUpSeconds
  return {
    jobsPerS: seenFinalAt.filter((at) => at >= countedFrom).length / countedS,
    statusRequestsPerS: upstream.requests.filter((request) => request.at >= countedFrom).length / countedS,
    lagP99Ms: lags.sort((a, b) => a - b)[Math.floor(lags.length * 0.99)] ?? Number.NaN,
  }
}
