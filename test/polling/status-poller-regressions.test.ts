/** Poller behaviours that once went wrong: batching judged per batch, unknown ids backed off, cold cadence. */
import { describe, expect, it } from 'vitest'
import { simulate } from './simulated-upstream.ts'

describe('StatusPoller regressions', () => {
  it('counts one incomplete batch once, however many ids it lost', async () => {
    const { clock, upstream, poller, track } = simulate({ statusRps: 50 })
    upstream.batch = 'first-only'
    for (const id of ['a', 'b', 'c', 'd']) track(id, { runMs: 5000 })
    // Long enough for the jobs to become known and for one more incomplete batch to be asked about.
    await clock.advanceUntil(
      () => upstream.requests.filter((request) => request.ids.length > 1).length >= 2,
      5000,
    )
    expect(poller.batching).toBe(true)
  })

  it('does not hold jobs the upstream has not shown yet against batching', async () => {
    const { clock, poller, track } = simulate({ statusRps: 50 })
    const jobs = [
      track('a', { runMs: 3000 }),
      ...['b', 'c', 'd'].map((id) => track(id, { runMs: 3000, unknownFor: 1 })),
    ]
    await clock.advanceUntil(() => jobs.every((job) => job.settled), 20_000)
    expect(poller.batching).toBe(true)
    expect(jobs.map((job) => job.final?.phase)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded'])
  })

  it('backs off on an unknown id just the same when other jobs are in flight', async () => {
    const alone = simulate({ statusRps: 100, coldIntervalMs: 1000 })
    const lonely = alone.track('ghost', { runMs: 1000, unknownFor: Number.POSITIVE_INFINITY })
    await alone.clock.advanceUntil(() => lonely.settled, 60_000)

    const crowd = simulate({ statusRps: 100, coldIntervalMs: 1000 })
    crowd.track('real', { runMs: 60_000 })
    const ghost = crowd.track('ghost', { runMs: 1000, unknownFor: Number.POSITIVE_INFINITY })
    await crowd.clock.advanceUntil(() => ghost.settled, 60_000)

    expect(ghost.error).toBeDefined()
    // Given up after the same backoff, not within a few ticks because a batch kept losing it.
    expect(ghost.settledAt ?? 0).toBeGreaterThanOrEqual((lonely.settledAt ?? 0) - 1000)
  })

  it('before the model is ready, sends one request per cold interval however many jobs there are', async () => {
    const { clock, upstream, track } = simulate({ statusRps: 1000, coldIntervalMs: 500 })
    for (let i = 0; i < 10; i++) track(`job-${i}`, { runMs: 60_000 })
    await clock.advance(5000)
    expect(upstream.requests.length).toBeLessThanOrEqual(11)
    expect(upstream.requests.every((request) => request.ids.length === 10)).toBe(true)
  })
})
