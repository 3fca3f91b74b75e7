/** The engine contract, first part: who gets a slot and when, deadlines, and cancelling. */
import { describe, expect, it, vi } from 'vitest'
import { thrown } from '../support/thrown.ts'
import type { ContractHarness } from './engine-contract.ts'

/** Admission order, a full queue, deadlines and cancel. */
export function admissionContract(harness: ContractHarness): void {
  describe('admission', () => {
    it('starts jobs in arrival order and moves waiting jobs up as others finish', async () => {
      const { engine, submit, final } = await harness.setup({ maxConcurrent: 1, maxQueue: 3 }, { runMs: 80 })
      const jobs = ['first', 'second', 'third', 'fourth'].map(submit)
      expect(jobs.map((job) => job.queuePosition)).toEqual([0, 1, 2, 3])
      expect(engine.stats()).toMatchObject({ slotsInUse: 1, queued: 3 })

      const done = await Promise.all(jobs.map((job) => final(job.id)))
      expect(done.map((job) => job.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded'])
      expect(harness.emulator.counters.submittedPrompts).toEqual(['first', 'second', 'third', 'fourth'])
      expect(harness.emulator.counters.maxInFlight).toBe(1)
      const places = done[3]?.events.filter((event) => event.status === 'queued').map((e) => e.queuePosition)
      expect(places?.slice(0, 4)).toEqual([3, 2, 1, 0])
    })

    it('refuses a job with QUEUE_FULL once the line is full, and it never reaches the upstream', async () => {
      const { engine, submit, final } = await harness.setup({ maxConcurrent: 1, maxQueue: 1 }, { runMs: 100 })
      const accepted = [submit('runs'), submit('waits')]
      const refused = thrown(() => submit('refused'))
      expect(refused.code).toBe('QUEUE_FULL')
      expect(refused.status).toBe(429)
      expect(refused.retryAfterS).toBeGreaterThanOrEqual(1)
      expect(engine.stats()).toMatchObject({ slotsInUse: 1, queued: 1, retained: 2 })

      await Promise.all(accepted.map((job) => final(job.id)))
      expect(harness.emulator.counters.submittedPrompts).toEqual(['runs', 'waits'])
    })
  })

  describe('deadline', () => {
    it('ends a job the upstream never runs as timed_out with JOB_TIMEOUT', async () => {
      const { engine, poller, submit, final } = await harness.setup(
        { jobTimeoutMs: 300 },
        { stuckWaiting: true },
      )
      const job = await final(submit('stuck').id)
      expect(job.status).toBe('timed_out')
      expect(job.error?.code).toBe('JOB_TIMEOUT')
      expect(job.upstreamJobId).toBeDefined()
      expect(engine.stats()).toMatchObject({ slotsInUse: 0, queued: 0 })
      await vi.waitFor(() => expect(poller.size).toBe(0))
    })

    it('counts the deadline from submission, so jobs waiting in the gateway line time out and free their place', async () => {
      const settings = { maxConcurrent: 1, maxQueue: 2, jobTimeoutMs: 300 }
      const { engine, submit, final } = await harness.setup(settings, { stuckWaiting: true })
      const jobs = ['holds the slot', 'waits', 'waits too'].map(submit)
      expect(engine.stats()).toMatchObject({ slotsInUse: 1, queued: 2 })
      const done = await Promise.all(jobs.map((job) => final(job.id)))

      expect(done.map((job) => job.status)).toEqual(['timed_out', 'timed_out', 'timed_out'])
      expect(done.map((job) => job.error?.code)).toEqual(['JOB_TIMEOUT', 'JOB_TIMEOUT', 'JOB_TIMEOUT'])
      expect(engine.stats()).toMatchObject({ slotsInUse: 0, queued: 0 })
      expect(submit('next').queuePosition).toBe(0)
    })
  })

  describe('cancel', () => {
    it('cancels a running job: status cancelled, CANCELLED error, its upstream job no longer watched', async () => {
      const { engine, poller, submit, current } = await harness.setup({}, { queueMs: 0, runMs: 5000 })
      const job = submit('long')
      await vi.waitFor(() => expect(current(job.id).status).toBe('running'))
      engine.cancel(job.id)
      expect(current(job.id).status).toBe('cancelled')
      expect(current(job.id).error?.code).toBe('CANCELLED')
      expect(engine.stats()).toMatchObject({ slotsInUse: 0 })
      await vi.waitFor(() => expect(poller.size).toBe(0))
    })

    it('cancels a queued job before it reaches the upstream, and the jobs behind it move up', async () => {
      const { engine, submit, current, final } = await harness.setup(
        { maxConcurrent: 1, maxQueue: 3 },
        { runMs: 150 },
      )
      const [running, cancelled, behind] = ['running', 'cancelled', 'behind'].map(
        (prompt) => submit(prompt).id,
      )
      if (!running || !cancelled || !behind) throw new Error('three jobs were submitted')
      expect(current(behind).queuePosition).toBe(2)
      engine.cancel(cancelled)
      expect(current(cancelled).status).toBe('cancelled')
      expect(current(behind).queuePosition).toBe(1)
      expect(engine.stats()).toMatchObject({ queued: 1 })

      expect((await final(behind)).status).toBe('succeeded')
      expect((await final(running)).status).toBe('succeeded')
      expect(harness.emulator.counters.submittedPrompts).toEqual(['running', 'behind'])
    })

    it('leaves a final job as it was', async () => {
      const { engine, submit, current, final } = await harness.setup()
      const job = await final(submit('done').id)
      const events = job.events.length
      engine.cancel(job.id)
      expect(current(job.id).status).toBe('succeeded')
      expect(current(job.id).error).toBeUndefined()
      expect(current(job.id).events).toHaveLength(events)
    })

    it('abandon cancels a job nobody follows, but not one still followed', async () => {
      const { engine, submit, current } = await harness.setup({}, { runMs: 5000 })
      const followed = submit('followed').id
      const alone = submit('alone').id
      const unfollow = engine.follow(followed)

      expect(engine.abandon(followed, 'caller hung up')).toBe(false)
      expect(current(followed).status).not.toBe('cancelled')
      expect(engine.abandon(alone, 'caller hung up')).toBe(true)
      expect(current(alone).status).toBe('cancelled')

      unfollow()
      unfollow()
      expect(engine.abandon(followed, 'caller hung up')).toBe(true)
      expect(current(followed).status).toBe('cancelled')
    })

    it('a job followed twice stays followed until both followers leave', async () => {
      const { engine, submit, current } = await harness.setup({}, { runMs: 5000 })
      const job = submit('popular').id
      const leaveFirst = engine.follow(job)
      const leaveSecond = engine.follow(job)
      leaveFirst()
      expect(engine.abandon(job, 'one caller hung up')).toBe(false)
      leaveSecond()
      expect(engine.abandon(job, 'both callers hung up')).toBe(true)
      expect(current(job).status).toBe('cancelled')
    })
  })
}
