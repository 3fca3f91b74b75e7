import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../server/errors.ts'
import { NOT_FOUND_RETRIES, STATUS_FAILURE_RETRIES } from '../../server/polling/status-poller.ts'
import { simulate } from './simulated-upstream.ts'

const gaps = (times: number[]) => times.slice(1).map((time, i) => time - (times[i] ?? 0))
const isIncreasing = (values: number[]) => values.every((value, i) => i === 0 || value > (values[i - 1] ?? 0))

describe('StatusPoller when things go wrong', () => {
  describe('ids the upstream does not know', () => {
    it('keeps asking about a job unknown for its first polls, and it resolves once known', async () => {
      const { clock, track } = simulate()
      const job = track('late', { runMs: 500, unknownFor: 3 })
      await clock.advanceUntil(() => job.settled, 10_000)
      expect(job.final).toMatchObject({ jobId: 'late', phase: 'succeeded' })
    })

    it('gives up on a job the upstream never knows: UPSTREAM_ERROR, reason NOT_FOUND, asking less and less often', async () => {
      const { clock, upstream, track } = simulate({ statusRps: 100, coldIntervalMs: 400 })
      const job = track('ghost', { runMs: 500, unknownFor: Number.POSITIVE_INFINITY })
      await clock.advanceUntil(() => job.settled, 60_000)

      expect(job.error).toBeInstanceOf(GatewayError)
      expect(job.error).toMatchObject({
        code: 'UPSTREAM_ERROR',
        details: { upstreamJobId: 'ghost', reason: 'NOT_FOUND' },
      })
      const asked = upstream.askedAt('ghost')
      expect(asked).toHaveLength(NOT_FOUND_RETRIES + 1)
      expect(isIncreasing(gaps(asked))).toBe(true)
      await clock.advance(10_000)
      expect(upstream.askedAt('ghost')).toHaveLength(NOT_FOUND_RETRIES + 1)
    })

    it('does not give up on the other jobs of a batch when one id is unknown', async () => {
      const { clock, track } = simulate()
      const known = track('known', { runMs: 1500 })
      const ghost = track('ghost', { runMs: 500, unknownFor: Number.POSITIVE_INFINITY })
      await clock.advanceUntil(() => known.settled && ghost.settled, 60_000)
      expect(known.final?.phase).toBe('succeeded')
      expect(ghost.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { reason: 'NOT_FOUND' } })
    })
  })

  describe('failed status requests', () => {
    it(`retries up to ${STATUS_FAILURE_RETRIES} failed requests in a row, backing off, and the job still resolves`, async () => {
      const { clock, upstream, track } = simulate({ statusRps: 100 })
      upstream.failNext = STATUS_FAILURE_RETRIES
      const job = track('flaky', { runMs: 300 })
      await clock.advanceUntil(() => job.settled, 60_000)

      expect(job.final?.phase).toBe('succeeded')
      const asked = upstream.askedAt('flaky')
      expect(asked).toHaveLength(STATUS_FAILURE_RETRIES + 1)
      expect(isIncreasing(gaps(asked))).toBe(true)
    })

    it('fails the job with the upstream error after one failed request too many', async () => {
      const { clock, upstream, track } = simulate({ statusRps: 100 })
      upstream.failNext = STATUS_FAILURE_RETRIES + 1
      const job = track('doomed', { runMs: 300 })
      await clock.advanceUntil(() => job.settled, 60_000)

      expect(job.error).toBeInstanceOf(GatewayError)
      expect(job.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 502 } })
      expect(upstream.askedAt('doomed')).toHaveLength(STATUS_FAILURE_RETRIES + 1)
    })

    it('counts failures per job: a job that got an answer in between starts counting again', async () => {
      const { clock, upstream, track } = simulate({ statusRps: 100 })
      const job = track('patient', { runMs: 60_000 })
      for (let round = 0; round < 3; round++) {
        upstream.failNext = STATUS_FAILURE_RETRIES
        const asked = upstream.askedAt('patient').length
        await clock.advanceUntil(
          () => upstream.askedAt('patient').length > asked + STATUS_FAILURE_RETRIES,
          60_000,
        )
      }
      await clock.advanceUntil(() => job.settled, 60_000)
      expect(job.final?.phase).toBe('succeeded')
    })
  })

  describe('cancel and close', () => {
    it('rejects a job with its signal reason once aborted, and never asks about it again', async () => {
      const { clock, upstream, track } = simulate()
      const controller = new AbortController()
      const cancelled = track('cancelled', { runMs: 2000 }, controller.signal)
      const other = track('other', { runMs: 2000 })
      await clock.advance(500)
      const reason = new GatewayError('CANCELLED', 'job cancelled by the caller')
      controller.abort(reason)
      await clock.advance(0)
      expect(cancelled.error).toBe(reason)

      const askedBefore = upstream.askedAt('cancelled').length
      await clock.advanceUntil(() => other.settled, 10_000)
      expect(upstream.askedAt('cancelled')).toHaveLength(askedBefore)
      expect(other.final?.phase).toBe('succeeded')
    })

    it('rejects at once a job whose signal was already aborted, without asking the upstream', async () => {
      const { clock, upstream, poller, track } = simulate()
      const reason = new Error('too late')
      const job = track('stillborn', { runMs: 100 }, AbortSignal.abort(reason))
      await clock.advance(1000)
      expect(job.error).toBe(reason)
      expect(upstream.requests).toHaveLength(0)
      expect(poller.size).toBe(0)
    })

    it('a job aborted while its status request is in flight stays rejected with its reason', async () => {
      const { clock, upstream, track } = simulate()
      upstream.latencyMs = 200
      const controller = new AbortController()
      const job = track('racing', { runMs: 100 }, controller.signal)
      await clock.advanceUntil(() => upstream.requests.length === 1, 1000)
      controller.abort(new Error('gone'))
      await clock.advance(1000)
      expect(job.error).toMatchObject({ message: 'gone' })
      expect(job.final).toBeUndefined()
    })

    it('leaves no timer behind once no job is tracked', async () => {
      const { clock, poller, track } = simulate()
      const jobs = ['a', 'b', 'c'].map((id) => track(id, { runMs: 300 }))
      await clock.advanceUntil(() => jobs.every((job) => job.settled), 10_000)
      await clock.advance(100)
      expect(poller.size).toBe(0)
      expect(clock.pendingTimers).toBe(0)
    })

    it('close() stops its timer and aborts requests in flight; nothing is asked afterwards', async () => {
      const { clock, upstream, poller, track } = simulate()
      upstream.latencyMs = 50
      track('a', { runMs: 5000 })
      await clock.advanceUntil(() => upstream.requests.length > 0, 1000)
      poller.close()
      await clock.advance(0)
      expect(clock.pendingTimers).toBe(0)

      const asked = upstream.requests.length
      await clock.advance(10_000)
      expect(upstream.requests).toHaveLength(asked)
    })
  })
})
