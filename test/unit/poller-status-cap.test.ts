// Scenario (b)'s shape on a manual clock: 10 slots of 300 ms jobs behind a cap of 5 status requests a second.
// The cap, not the jobs, limits how often the poller may ask, so each request must carry a fair batch of
// finished jobs: firing at the first likely finish splits jobs that end together over two answers, and the
// second waits for the cap.
import { describe, expect, it } from 'vitest'
import { closedLoop } from '../polling/closed-loop.ts'

const LOOP = {
  slots: 10,
  runMs: 300,
  runJitterMs: 5,
  // What the bench's emulator shows: submissions reach it 5 to 40 ms after the answer that freed their slots.
  handOverMs: [5, 40] as [number, number],
  seconds: 30,
  warmUpSeconds: 10,
}

describe('the poller when the status cap binds', () => {
  for (const elapsedTime of ['frozen', 'growing', 'absent'] as const) {
    it(`elapsed_time ${elapsedTime}: keeps 10 slots of 300 ms jobs at 24 jobs/s or more, with a status request per 7 jobs or fewer and no straggler left`, async () => {
      for (const seed of [1, 2]) {
        const { jobsPerS, statusRequestsPerS, lagP99Ms } = await closedLoop({ ...LOOP, elapsedTime, seed })
        expect(jobsPerS, `seed ${seed}`).toBeGreaterThanOrEqual(24)
        // Jobs that end together are seen in one answer: well under the cap, not pinned at it.
        expect(statusRequestsPerS / jobsPerS, `seed ${seed}`).toBeLessThanOrEqual(0.15)
        // Waiting for the batch must not strand a straggler: a vague model (jobs seen only once) still asks.
        expect(lagP99Ms, `seed ${seed}`).toBeLessThanOrEqual(300)
      }
    })
  }
})
