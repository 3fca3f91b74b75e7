// Lone jobs on a manual clock: whatever the upstream's elapsed_time does after the end, the poller finds a job
// final soon after it ends, with about as many status requests, job after job (no drift from learning late ends).
import { describe, expect, it } from 'vitest'
import { simulate } from '../polling/simulated-upstream.ts'

const RUN_MS = 300
const JOBS = 60

/** Runs JOBS lone 300 ms jobs in a row; for the last 20: how long after its end each was seen final, and requests. */
async function loneJobs(elapsedTime: 'frozen' | 'growing' | 'absent') {
  const { clock, upstream, track } = simulate({ coldIntervalMs: 250 })
  upstream.elapsedTime = elapsedTime
  upstream.latencyMs = 2
  const lags: number[] = []
  let requestsBefore = 0
  for (let i = 0; i < JOBS; i++) {
    if (i === JOBS - 20) requestsBefore = upstream.requests.length
    const job = track(`job-${i}`, { runMs: RUN_MS })
    await clock.advanceUntil(() => job.settled, 10_000, 1)
    lags.push((job.settledAt ?? 0) - upstream.finishAt(`job-${i}`))
  }
  const last = lags.slice(-20).sort((a, b) => a - b)
  return {
    lagP50: last[10] ?? Number.NaN,
    lagMax: last.at(-1),
    requests: (upstream.requests.length - requestsBefore) / 20,
  }
}

describe('the poller against each elapsed_time mode', () => {
  for (const mode of ['frozen', 'growing', 'absent'] as const) {
    it(`elapsed_time ${mode}: lone 300 ms jobs are seen final within a few ticks of their end`, async () => {
      const { lagP50, lagMax, requests } = await loneJobs(mode)
      // Manual-clock milliseconds: the poller ticks every 10 ms and a status answer takes 2.
      expect(lagP50).toBeLessThanOrEqual(25)
      expect(lagMax).toBeLessThanOrEqual(60)
      expect(requests).toBeLessThanOrEqual(3)
    })
  }
})
