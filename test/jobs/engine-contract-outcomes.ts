/** The engine contract, second part: what a job leaves behind: events, retention, freed slots and its image. */
import { describe, expect, it, vi } from 'vitest'
import type { JobEventRecord } from '../../server/jobs/job-record.ts'
import { imageBytes } from '../../server/upstream/client.ts'
import { servedImage, upstreamJobFor } from '../support/emulator.ts'
import type { ContractHarness } from './engine-contract.ts'

const statusesOf = (events: JobEventRecord[]) =>
  events.map((event) => event.status).filter((status, i, all) => status !== all[i - 1])

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

/** Events, retention, leaks and images. */
export function outcomesContract(harness: ContractHarness): void {
  describe('events', () => {
    it('yields queued, running and succeeded with increasing ids, and ends after the final one', async () => {
      // Started at once upstream and running long enough to be seen running.
      const { engine, submit, current } = await harness.setup({}, { queueMs: 0, runMs: 300 })
      const job = await submit('watched')
      const seen = await collect(engine.events(job.id, 0, new AbortController().signal))

      expect(statusesOf(seen)).toEqual(['queued', 'running', 'succeeded'])
      expect(seen.map((event) => event.seq)).toEqual(seen.map((_, i) => i + 1))
      expect(seen).toEqual((await current(job.id)).events)
    })

    it('resumed after an event id, yields exactly the later ones', async () => {
      const { engine, submit, final } = await harness.setup({}, { queueMs: 0, runMs: 300 })
      const job = await final((await submit('resumed')).id)
      const after = 2
      const seen = await collect(engine.events(job.id, after, new AbortController().signal))
      expect(seen).toEqual(job.events.filter((event) => event.seq > after))
      expect(seen.at(-1)?.status).toBe('succeeded')
    })

    it('ends without error when its signal aborts before the job is final', async () => {
      const { engine, submit, current } = await harness.setup({}, { stuckWaiting: true })
      const job = await submit('never starts')
      const controller = new AbortController()
      const seen: unknown[] = []
      // The caller leaves once it has seen the first event; the stream must then end without an error.
      for await (const event of engine.events(job.id, 0, controller.signal)) {
        seen.push(event)
        controller.abort(new Error('the caller left'))
      }
      expect(seen.length).toBeGreaterThan(0)
      expect((await current(job.id)).status).toBe('queued')
    })
  })

  describe('retention', () => {
    it('forgets a finished job once its retention has passed', async () => {
      const { engine, submit, final } = await harness.setup({ retentionMs: 100, sweepIntervalMs: 20 })
      const job = await final((await submit('fleeting')).id)
      expect((await engine.get(job.id))?.status).toBe('succeeded')

      await vi.waitFor(async () => expect(await engine.get(job.id)).toBeUndefined(), { timeout: 3000 })
      await expect(engine.require(job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      expect((await engine.stats()).retained).toBe(0)
    })

    it('keeps an unfinished job however long it runs', async () => {
      const settings = { retentionMs: 20, sweepIntervalMs: 10 }
      const { engine, submit } = await harness.setup(settings, { stuckWaiting: true })
      const job = await submit('lingering')
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect((await engine.get(job.id))?.status).toBe('queued')
    })
  })

  describe('no leaked slots or timers', () => {
    it('after succeeded, failed, cancelled and timed-out jobs, holds no slot, no queue and no tracked job', async () => {
      const settings = { maxConcurrent: 2, maxQueue: 6, jobTimeoutMs: 1500 }
      const { engine, poller, submitAll, current, final } = await harness.setup(settings, { queueMs: 0 })
      const ids: string[] = []
      const run = async (prompts: string[], before?: (jobIds: string[]) => Promise<unknown>) => {
        const jobIds = (await submitAll(prompts)).map((job) => job.id)
        ids.push(...jobIds)
        await before?.(jobIds)
        return Promise.all(jobIds.map(final))
      }
      await run(['ok 1', 'ok 2', 'ok 3'])
      harness.emulator.configure({ failRate: 1 })
      const failed = await run(['bad 1', 'bad 2'])
      harness.emulator.configure({ failRate: 0, stuckWaiting: true })
      // Two take the slots, two wait in the gateway's line; one of each is cancelled, the others time out.
      await run(
        ['cancel in slot', 'time out in slot', 'cancel in line', 'time out in line'],
        async (jobIds) => {
          await engine.cancel(jobIds[2] ?? '')
          await engine.cancel(jobIds[0] ?? '')
        },
      )

      const statuses = await Promise.all(ids.map(async (id) => (await current(id)).status))
      expect(statuses).toEqual([
        ...Array(3).fill('succeeded'),
        ...Array(2).fill('failed'),
        'cancelled',
        'timed_out',
        'cancelled',
        'timed_out',
      ])
      expect(failed.map((job) => job.error?.code)).toEqual(['JOB_FAILED', 'JOB_FAILED'])
      await vi.waitFor(async () =>
        expect(await engine.stats()).toMatchObject({ slotsInUse: 0, queued: 0, retained: 9 }),
      )
      expect(engine.active).toBe(0)
      await vi.waitFor(() => expect(poller.size).toBe(0))
    })
  })

  describe('images', () => {
    it('streams exactly the bytes the upstream serves for the job', async () => {
      const { engine, submit, final } = await harness.setup()
      const job = await final((await submit('a lighthouse')).id)
      const served = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, 'a lighthouse'))

      const stream = await engine.openImage(job.id)
      expect((await imageBytes(stream)).equals(served.bytes)).toBe(true)
      expect(stream.contentType).toBe(served.type)
    })

    it('buffers the same bytes once and serves later downloads from its cache', async () => {
      const { engine, submit, final } = await harness.setup()
      const job = await final((await submit('a harbour')).id)
      const served = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, 'a harbour'))
      const fetches = () =>
        harness.emulator.counters.imageFetches + harness.emulator.counters.nextImageFetches
      const fetchesBefore = fetches()

      const image = await engine.image(job.id)
      expect(Buffer.from(image.bytes).equals(served.bytes)).toBe(true)
      expect(image.contentType).toBe(served.type)
      const fetchesAfterFirst = fetches()
      expect(fetchesAfterFirst).toBeGreaterThan(fetchesBefore)

      const again = await engine.image(job.id)
      const stream = await engine.openImage(job.id)
      expect(Buffer.from(again.bytes).equals(served.bytes)).toBe(true)
      expect((await imageBytes(stream)).equals(served.bytes)).toBe(true)
      expect(fetches()).toBe(fetchesAfterFirst)
    })

    it('has no image for a job that did not succeed', async () => {
      const { engine, submit, final } = await harness.setup({}, { failRate: 1 })
      const job = await final((await submit('broken')).id)
      await expect(engine.image(job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(engine.openImage(job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })
  })

  describe('idle', () => {
    it('is idle at once with no job, and not before the last running or waiting job is final', async () => {
      // One slot: the first job runs until cancelled, the second waits in line behind it.
      const { engine, submit } = await harness.setup({ maxConcurrent: 1 }, { stuckWaiting: true })
      expect(await engine.idle()).toBe(true)
      const running = await submit('running')
      const waiting = await submit('waiting')
      const grace = new AbortController()
      const beforeGrace = engine.idle(grace.signal)
      grace.abort()
      expect(await beforeGrace).toBe(false)

      const settled: string[] = []
      const idle = engine.idle().then((value) => settled.push(`idle ${value}`))
      await engine.cancel(running.id)
      settled.push('first cancelled')
      await engine.cancel(waiting.id)
      await idle
      expect(settled).toEqual(['first cancelled', 'idle true'])
      expect(engine.active).toBe(0)
    })
  })
}
