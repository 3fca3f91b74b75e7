// Once the poller knows how long jobs take, it sleeps through the stretch where no job can be done yet instead
// of waking every 10 ms to find nothing worth asking, and still sees each job final soon after it ends.
import { describe, expect, it } from 'vitest'
import { simulate } from '../polling/simulated-upstream.ts'

describe('the poller between a batch of jobs starting and its first possible finish', () => {
  it('wakes a few times rather than every tick, then finds every job soon after it ends', async () => {
    const { clock, upstream, track, warmUp } = simulate({ statusRps: 5 })
    await warmUp(5, () => 300)
    let wakes = 0
    const setTimer = clock.setTimeout.bind(clock)
    clock.setTimeout = (callback, ms) =>
      setTimer(() => {
        wakes++
        callback()
      }, ms)
    const jobs = Array.from({ length: 10 }, (_, i) => track(`job-${i}`, { runMs: 300 }))
    await clock.advance(250)
    // Every 10 ms that would be 25 wakes.
    expect(wakes).toBeLessThanOrEqual(3)
    expect(upstream.requests).toHaveLength(0)
    await clock.advanceUntil(() => jobs.every((job) => job.settled), 2000, 1)
    for (const [i, job] of jobs.entries())
      expect((job.settledAt ?? 0) - upstream.finishAt(`job-${i}`)).toBeLessThanOrEqual(30)
  })
})
