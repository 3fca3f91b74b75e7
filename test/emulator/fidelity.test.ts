// Upstream behaviours no public source settles: elapsed_time after the end, job expiry, late name checks.

import { type Emulator, startEmulator } from '@akashgen/emulator'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  askStatus,
  download,
  FAST,
  finishedJob,
  postGenerate,
  type StatusElement,
  submitJob,
  waitForStatus,
} from './harness.ts'

let emulator: Emulator
afterEach(() => emulator?.close())

/** The one element a status answer for `id` carries. */
async function elementOf(id: string): Promise<Record<string, unknown>> {
  const { code, body } = await askStatus(emulator, [id])
  expect(code).toBe(200)
  return (body as Array<Record<string, unknown>>)[0] ?? {}
}

/** Seconds from submission to the end, as the emulator recorded them. */
function runSeconds(id: string): number {
  const job = emulator.jobs().find((j) => j.jobId === id)
  if (!job?.finishedAt) throw new Error(`job ${id} has not finished`)
  return Math.round(job.finishedAt - job.submittedAt) / 1000
}

describe('elapsed_time after a job ends', () => {
  it('frozen (the default): every answer after the end gives the run time', async () => {
    emulator = await startEmulator(FAST)
    const { job_id: id, elapsed_time: first } = await finishedJob(emulator)
    expect(first).toBe(runSeconds(id))
    // Wait until the clock has moved on by more than the answer's resolution, then ask again.
    const later = Date.now() + 30
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(later))
    expect((await elementOf(id)).elapsed_time).toBe(first)
  })

  it('growing: answers after the end keep counting from the submission', async () => {
    emulator = await startEmulator({ ...FAST, elapsedTime: 'growing' })
    const { job_id: id } = await finishedJob(emulator)
    const run = runSeconds(id)
    await vi.waitFor(async () => expect((await elementOf(id)).elapsed_time).toBeGreaterThan(run + 0.05))
    expect((await elementOf(id)).status).toBe('succeeded')
  })

  it('absent: no answer carries the key, in any state', async () => {
    emulator = await startEmulator({ ...FAST, queueMs: 60, elapsedTime: 'absent' })
    const id = await submitJob(emulator)
    const waiting = await elementOf(id)
    expect(waiting.status).toBe('waiting')
    const done = (await waitForStatus(emulator, id, ['succeeded'])) as unknown as Record<string, unknown>
    for (const element of [waiting, done]) {
      expect(Object.keys(element)).toHaveLength(8)
      expect(element).not.toHaveProperty('elapsed_time')
    }
  })
})

describe('finished jobs expire after finishedTtlMs', () => {
  it('answers 404 for an expired job, and its image goes with it', async () => {
    emulator = await startEmulator(FAST)
    const { job_id: id, result } = await finishedJob(emulator)
    expect((await download(emulator, result)).code).toBe(200)
    emulator.configure({ finishedTtlMs: 0 })
    expect(await askStatus(emulator, [id])).toEqual({ code: 404, body: { error: 'Job not found' } })
    expect((await download(emulator, result)).code).toBe(404)
    const optimised = await download(emulator, `/_next/image?url=${encodeURIComponent(result)}&w=64&q=75`)
    expect(optimised.code).toBe(400)
  })

  it('keeps a job until its TTL has passed, and the image past it with expiryKeepsImages', async () => {
    emulator = await startEmulator({ ...FAST, finishedTtlMs: 60_000, expiryKeepsImages: true })
    const { job_id: id, result } = await finishedJob(emulator)
    expect((await askStatus(emulator, [id])).code).toBe(200)
    emulator.configure({ finishedTtlMs: 0 })
    expect((await askStatus(emulator, [id])).code).toBe(404)
    expect((await download(emulator, result)).code).toBe(200)
  })

  it('leaves an unfinished job alone and drops an expired id from a batch', async () => {
    emulator = await startEmulator({ ...FAST, finishedTtlMs: 0 })
    const done = await submitJob(emulator, 'done')
    await vi.waitFor(() => expect(emulator.jobs()[0]?.finishedAt).not.toBeNull())
    emulator.configure({ stuckWaiting: true })
    const waiting = await submitJob(emulator, 'stuck')
    const { code, body } = await askStatus(emulator, [done, waiting])
    expect(code).toBe(200)
    expect((body as StatusElement[]).map((element) => element.job_id)).toEqual([waiting])
  })
})

describe('unknownSampler', () => {
  const unknown = { prompt: 'x', sampler: 'DPM++ 2M Karras', scheduler: 'karras' }

  it('reject (the default): 400 at submit, naming the value', async () => {
    emulator = await startEmulator(FAST)
    const res = await postGenerate(emulator, unknown)
    expect([res.status, await res.json()]).toEqual([400, { error: 'Invalid sampler: DPM++ 2M Karras' }])
  })

  it.each([
    ['sampler', unknown, "sampler_name: 'DPM++ 2M Karras' not in"],
    ['scheduler', { prompt: 'x', sampler: 'euler', scheduler: 'Karras' }, "scheduler: 'Karras' not in"],
  ])('fail-job: an unknown %s is queued, then fails with ComfyUI’s reason', async (_name, body, reason) => {
    emulator = await startEmulator({ ...FAST, unknownSampler: 'fail-job' })
    const res = await postGenerate(emulator, body)
    expect(res.status).toBe(200)
    const { job_id: id, status } = (await res.json()) as { job_id: string; status: string }
    expect(status).toBe('waiting')
    const failed = await waitForStatus(emulator, id, ['failed', 'succeeded'])
    expect(failed.status).toBe('failed')
    expect(failed.result).toContain(reason)
    expect(emulator.counters).toMatchObject({ failed: 1, completed: 0, inFlight: 0 })
  })

  it('fail-job still refuses a sampler that is not a string', async () => {
    emulator = await startEmulator({ ...FAST, unknownSampler: 'fail-job' })
    expect((await postGenerate(emulator, { prompt: 'x', sampler: 7 })).status).toBe(400)
  })
})

describe('the request log', () => {
  it('lists each request with its query and status, newest last, and empties on reset', async () => {
    emulator = await startEmulator({ ...FAST, qualities: [75] })
    const { result } = await finishedJob(emulator)
    const refused = `/_next/image?url=${encodeURIComponent(result)}&w=64&q=100`
    await download(emulator, refused)
    await fetch(`${emulator.url}/__emulator/counters`)
    expect(emulator.counters.requestLog.at(-1)).toEqual({ method: 'GET', url: refused, status: 400 })
    expect(emulator.counters.requestLog[0]).toMatchObject({
      method: 'POST',
      url: '/api/generate',
      status: 200,
    })
    emulator.resetCounters()
    expect(emulator.counters.requestLog).toEqual([])
  })
})
