/** The engine contract, first part: who gets a slot and when, deadlines, and cancelling. */
import { describe, expect, it, vi } from 'vitest'
import type { ContractHarness } from './engine-contract.ts'

/** Admission order, a full queue, deadlines and cancel. */
export function admissionContract(harness: ContractHarness): void {
  describe('admission', () => {
    it('starts jobs in arrival order and moves waiting jobs up as others finish', async () => {
      const { engine, submitAll, final } = await harness.setup(
        { maxConcurrent: 1, maxQueue: 3 },
        { runMs: 80 },
      )
      const jobs = await submitAll(['first', 'second', 'third', 'fourth'])
      expect(jobs.map((job) => job.queuePosition)).toEqual([0, 1, 2, 3])
      expect(await engine.stats()).toMatchObject({ slotsInUse: 1, queued: 3 })

      const done = await Promise.all(jobs.map((job) => final(job.id)))
      expect(done.map((job) => job.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded'])
      expect(harness.emulator.counters.submittedPrompts).toEqual(['first', 'second', 'third', 'fourth'])
      expect(harness.emulator.counters.maxInFlight).toBe(1)
      const places = done[3]?.events.filter((event) => event.status === 'queued').map((e) => e.queuePosition)
      expect(places?.slice(0, 4)).toEqual([3, 2, 1, 0])
    })

    it('refuses a job with QUEUE_FULL once the line is full, and it never reaches the upstream', async () => {
      const { engine, submitAll, submit, final } = await harness.setup(
        { maxConcurrent: 1, maxQueue: 1 },
        { runMs: 200 },
      )
      const accepted = await submitAll(['runs', 'waits'])
      const refused = await submit('refused').then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(refused).toMatchObject({ code: 'QUEUE_FULL', status: 429 })
      expect((refused as { retryAfterS: number }).retryAfterS).toBeGreaterThanOrEqual(1)
      expect(await engine.stats()).toMatchObject({ slotsInUse: 1, queued: 1, retained: 2 })

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
      const job = await final((await submit('stuck')).id)
      expect(job.status).toBe('timed_out')
      expect(job.error?.code).toBe('JOB_TIMEOUT')
      expect(job.upstreamJobId).toBeDefined()
      await vi.waitFor(async () => expect(await engine.stats()).toMatchObject({ slotsInUse: 0, queued: 0 }))
      await vi.waitFor(() => expect(poller.size).toBe(0))
    })

    it('counts the deadline from submission, so jobs waiting in the gateway line time out and free their place', async () => {
      const settings = { maxConcurrent: 1, maxQueue: 2, jobTimeoutMs: 300 }
      const { engine, submitAll, submit, final } = await harness.setup(settings, { stuckWaiting: true })
      const jobs = await submitAll(['holds the slot', 'waits', 'waits too'])
      expect(await engine.stats()).toMatchObject({ slotsInUse: 1, queued: 2 })
      const done = await Promise.all(jobs.map((job) => final(job.id)))

      expect(done.map((job) => job.status)).toEqual(['timed_out', 'timed_out', 'timed_out'])
      expect(done.map((job) => job.error?.code)).toEqual(['JOB_TIMEOUT', 'JOB_TIMEOUT', 'JOB_TIMEOUT'])
      await vi.waitFor(async () => expect(await engine.stats()).toMatchObject({ slotsInUse: 0, queued: 0 }))
      expect((await submit('next')).queuePosition).toBe(0)
    })
  })

  describe('cancel', () => {
    it('cancels a running job: status cancelled, CANCELLED error, its upstream job no longer watched', async () => {
      const { engine, poller, submit, current } = await harness.setup({}, { queueMs: 0, runMs: 5000 })
      const job = await submit('long')
      await vi.waitFor(async () => expect((await current(job.id)).status).toBe('running'))
      const cancelled = await engine.cancel(job.id)
      expect(cancelled.status).toBe('cancelled')
      expect((await current(job.id)).error?.code).toBe('CANCELLED')
      await vi.waitFor(async () => expect(await engine.stats()).toMatchObject({ slotsInUse: 0 }))
      await vi.waitFor(() => expect(poller.size).toBe(0))
    })

    it('cancels a queued job before it reaches the upstream, and the jobs behind it move up', async () => {
      const { engine, submitAll, current, final } = await harness.setup(
        { maxConcurrent: 1, maxQueue: 3 },
        { runMs: 300 },
      )
      const [running, cancelled, behind] = (await submitAll(['running', 'cancelled', 'behind'])).map(
        (job) => job.id,
      )
      if (!running || !cancelled || !behind) throw new Error('three jobs were submitted')
      expect((await current(behind)).queuePosition).toBe(2)
      expect((await engine.cancel(cancelled)).status).toBe('cancelled')
      await vi.waitFor(async () => expect((await current(behind)).queuePosition).toBe(1))
      expect(await engine.stats()).toMatchObject({ queued: 1 })

      expect((await final(behind)).status).toBe('succeeded')
      expect((await final(running)).status).toBe('succeeded')
      expect(harness.emulator.counters.submittedPrompts).toEqual(['running', 'behind'])
    })

    it('leaves a final job as it was', async () => {
      const { engine, submit, current, final } = await harness.setup()
      const job = await final((await submit('done')).id)
      const events = job.events.length
      await engine.cancel(job.id)
      const after = await current(job.id)
      expect(after.status).toBe('succeeded')
      expect(after.error).toBeUndefined()
      expect(after.events).toHaveLength(events)
    })

    it('abandon cancels a job nobody follows, but not one still followed', async () => {
      const { engine, submitAll, current } = await harness.setup({}, { runMs: 5000 })
      const [followed = '', alone = ''] = (await submitAll(['followed', 'alone'])).map((job) => job.id)
      const unfollow = engine.follow(followed)

      expect(await engine.abandon(followed, 'caller hung up')).toBe(false)
      expect((await current(followed)).status).not.toBe('cancelled')
      expect(await engine.abandon(alone, 'caller hung up')).toBe(true)
      expect((await current(alone)).status).toBe('cancelled')

      unfollow()
      unfollow()
      expect(await engine.abandon(followed, 'caller hung up')).toBe(true)
      expect((await current(followed)).status).toBe('cancelled')
    })

    it('a job followed twice stays followed until both followers leave', async () => {
      const { engine, submit, current } = await harness.setup({}, { runMs: 5000 })
      const job = (await submit('popular')).id
      const leaveFirst = engine.follow(job)
      const leaveSecond = engine.follow(job)
      leaveFirst()
      expect(await engine.abandon(job, 'one caller hung up')).toBe(false)
      leaveSecond()
      expect(await engine.abandon(job, 'both callers hung up')).toBe(true)
      expect((await current(job)).status).toBe('cancelled')
    })
  })
}
