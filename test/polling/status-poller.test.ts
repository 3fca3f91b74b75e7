import { describe, expect, it } from 'vitest'
import { WAITING_CHECK_PER_PLACE_MS } from '../../server/polling/poll-plan.ts'
import { INCOMPLETE_BATCHES_BEFORE_FALLBACK } from '../../server/polling/status-poller.ts'
import { type FollowedJob, type SeenRequest, simulate } from './simulated-upstream.ts'

/** A small seeded generator, so a "random" load is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The most requests that fall in any window [t, t + 1000 ms). */
function busiestSecond(requests: SeenRequest[]): number {
  const times = requests.map((request) => request.at).sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] ?? Number.POSITIVE_INFINITY) < (times[i] ?? 0) + 1000) j++
    most = Math.max(most, j - i)
  }
  return most
}

const gaps = (times: number[]) => times.slice(1).map((time, i) => time - (times[i] ?? 0))

describe('StatusPoller', () => {
  describe('the request cap', () => {
    it.each([
      { statusRps: 1, batch: 'first-only' as const },
      { statusRps: 2, batch: 'first-only' as const },
      { statusRps: 5, batch: 'first-only' as const },
      { statusRps: 5, batch: 'complete' as const },
    ])(
      'never sends more than $statusRps requests in any second ($batch batches, 200 jobs)',
      async ({ statusRps, batch }) => {
        const { clock, upstream, track } = simulate({ statusRps, coldIntervalMs: 100 })
        upstream.batch = batch
        const random = seeded(statusRps * 7 + batch.length)
        const jobs: FollowedJob[] = []
        for (let i = 0; i < 200; i++) {
          jobs.push(track(`job-${i}`, { runMs: 100 + Math.floor(random() * 2900) }))
          await clock.advance(Math.floor(random() * 50))
        }
        await clock.advanceUntil(() => jobs.every((job) => job.settled), 600_000, 100)

        expect(jobs.every((job) => job.final?.phase === 'succeeded')).toBe(true)
        expect(busiestSecond(upstream.requests)).toBeLessThanOrEqual(statusRps)
        // The cap was what limited the pace, so the check above had something to hold back.
        expect(busiestSecond(upstream.requests)).toBe(statusRps)
      },
    )
  })

  describe("a replica's share of the cap", () => {
    it.each([
      { replicas: 2, statusRps: 5, perWindow: 2, windowMs: 1000 },
      { replicas: 3, statusRps: 2, perWindow: 1, windowMs: 2000 },
    ])(
      'with $statusRps/s shared by $replicas replicas, sends at most $perWindow per $windowMs ms',
      async ({ replicas, statusRps, perWindow, windowMs }) => {
        const { clock, upstream, poller, track } = simulate({
          statusRps,
          coldIntervalMs: 50,
          maxIdsPerRequest: 1,
        })
        poller.setStatusRps(statusRps / replicas)
        const jobs = Array.from({ length: 40 }, (_, i) => track(`shared-${i}`, { runMs: 200 }))
        await clock.advanceUntil(() => jobs.every((job) => job.settled), 600_000, 50)

        expect(jobs.every((job) => job.final?.phase === 'succeeded')).toBe(true)
        const times = upstream.requests.map((request) => request.at).sort((x, y) => x - y)
        let most = 0
        for (let i = 0, j = 0; i < times.length; i++) {
          while ((times[j] ?? Number.POSITIVE_INFINITY) < (times[i] ?? 0) + windowMs) j++
          most = Math.max(most, j - i)
        }
        expect(most).toBe(perWindow)
        // The deployment as a whole stays under the cap: every replica sends its share.
        expect((most * replicas * 1000) / windowMs).toBeLessThanOrEqual(statusRps)
      },
    )
  })

  describe('batching', () => {
    it('asks about several in-flight jobs in one request, and each job gets its own final state', async () => {
      const { clock, upstream, poller, track } = simulate()
      const jobs = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({
        id,
        job: track(id, { runMs: 300 + 100 * i }),
      }))
      await clock.advanceUntil(() => jobs.every(({ job }) => job.settled), 10_000)

      for (const { id, job } of jobs) {
        expect(job.final).toMatchObject({ jobId: id, phase: 'succeeded', result: `/api/image/${id}.webp` })
      }
      expect(Math.max(...upstream.requests.map((request) => request.ids.length))).toBe(5)
      expect(poller.batching).toBe(true)
      expect(poller.sent.requests).toBeLessThan(poller.sent.ids)
    })

    it('asks alone about the ids a batch left out, then stops batching after repeated incomplete batches', async () => {
      const { clock, upstream, poller, track } = simulate({ statusRps: 50 })
      upstream.batch = 'first-only'
      const jobs = [track('a', { runMs: 5000 }), track('b', { runMs: 5000 })]
      await clock.advanceUntil(() => !poller.batching, 10_000)

      // The first batch lost 'b' before the upstream had ever shown it: that is a job not known yet, not
      // evidence against batching, so 'b' is asked alone once. Then each batch was answered for 'a' only,
      // 'b' was asked alone and found, and batching stopped after exactly that many incomplete batches.
      const incompleteBatch = [['a', 'b'], ['b']]
      const expected = Array.from(
        { length: INCOMPLETE_BATCHES_BEFORE_FALLBACK + 1 },
        () => incompleteBatch,
      ).flat()
      expect(upstream.requests.map((request) => request.ids)).toEqual(expected)

      const fellBackAt = upstream.requests.length
      await clock.advanceUntil(() => jobs.every((job) => job.settled), 20_000)
      const later = upstream.requests.slice(fellBackAt)
      expect(later.length).toBeGreaterThan(2)
      expect(later.every((request) => request.ids.length === 1)).toBe(true)
      expect(jobs.map((job) => job.final?.phase)).toEqual(['succeeded', 'succeeded'])
    })

    it('keeps batching while the upstream answers every id it is asked about', async () => {
      const { clock, upstream, poller, track } = simulate({ statusRps: 50 })
      const jobs = ['a', 'b', 'c', 'd'].map((id) => track(id, { runMs: 3000 }))
      await clock.advanceUntil(() => jobs.every((job) => job.settled), 20_000)
      expect(poller.batching).toBe(true)
      expect(upstream.requests.every((request) => request.ids.length === 4)).toBe(true)
    })
  })

  describe('which job is asked about first', () => {
    it('asks first about the job the duration model rates most likely finished, even one tracked later', async () => {
      const { clock, upstream, track, warmUp } = simulate({ statusRps: 1, maxIdsPerRequest: 1 })
      await warmUp(10, (i) => 1000 + 200 * i)
      const older = track('older', { runMs: 60_000 })
      await clock.advance(10)
      track('younger', { runMs: 60_000 })
      await clock.advanceUntil(() => upstream.requests.length === 2, 10_000)

      // The older job is likelier done at first. Once it was seen running, a job of about the same age
      // that was never checked is likelier done than it, so the younger one goes next.
      expect(upstream.requests.map((request) => request.ids)).toEqual([['older'], ['younger']])
      expect(older.states.map((state) => state.phase)).toEqual(['running'])
    })

    it('asks first about the job checked longest ago while the model knows nothing yet', async () => {
      const { clock, upstream, track } = simulate({ statusRps: 1, coldIntervalMs: 100, maxIdsPerRequest: 1 })
      track('first', { runMs: 60_000 })
      await clock.advance(20)
      track('second', { runMs: 60_000 })
      await clock.advanceUntil(() => upstream.requests.length === 3, 10_000)
      expect(upstream.requests.map((request) => request.ids)).toEqual([['first'], ['second'], ['first']])
    })
  })

  describe('timing', () => {
    it('once the model knows how long jobs take, asks about a new job close to its expected finish', async () => {
      const { clock, upstream, track, warmUp } = simulate({ statusRps: 5, coldIntervalMs: 100 })
      await warmUp(10, () => 300)
      const job = track('new', { runMs: 300 })
      await clock.advanceUntil(() => job.settled, 5000)

      expect(job.final?.phase).toBe('succeeded')
      expect(upstream.askedAt('new').length).toBeLessThanOrEqual(3)
      expect(job.settledAt).toBeGreaterThanOrEqual(upstream.finishAt('new'))
      expect(job.settledAt).toBeLessThanOrEqual(upstream.finishAt('new') + 100)
    })

    it('before the model is ready, checks a job on a steady cadence no longer than coldIntervalMs', async () => {
      const { clock, upstream, track } = simulate({ statusRps: 100, coldIntervalMs: 200 })
      const job = track('cold', { runMs: 2000 })
      await clock.advanceUntil(() => job.settled, 5000)

      const between = gaps(upstream.askedAt('cold'))
      expect(between.length).toBeGreaterThan(3)
      expect(new Set(between).size).toBe(1)
      expect(between[0]).toBeLessThanOrEqual(200)
      expect(job.settledAt).toBeLessThanOrEqual(upstream.finishAt('cold') + 200)
    })

    it.each([1, 2, 4])(
      'checks a job waiting upstream at place %i every place x WAITING_CHECK_PER_PLACE_MS, and reports each state',
      async (place) => {
        const { clock, upstream, track } = simulate({ statusRps: 100, coldIntervalMs: 100 })
        const job = track('queued', { waitMs: 4000, queuePosition: place, runMs: 200 })
        await clock.advanceUntil(() => job.settled, 10_000)

        const start = upstream.finishAt('queued') - 4200
        const whileWaiting = upstream.askedAt('queued').filter((at) => at < start + 4000)
        expect(new Set(gaps(whileWaiting))).toEqual(new Set([place * WAITING_CHECK_PER_PLACE_MS]))
        expect(job.states.length).toBeGreaterThan(1)
        expect(job.states.filter((state) => state.phase === 'waiting').length).toBe(whileWaiting.length)
        expect(job.states.every((state) => state.phase === 'waiting' || state.phase === 'running')).toBe(true)
        expect(job.states[0]).toMatchObject({ phase: 'waiting', queuePosition: place })
        expect(job.final?.phase).toBe('succeeded')
      },
    )
  })
})
