// A job's life as a polling client sees it, in both eras, with workers, queueing, failures and odd words.

import { type Emulator, startEmulator } from '@akashgen/emulator'
import sharp from 'sharp'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  askStatus,
  download,
  FAST,
  finishedJob,
  imageKind,
  type StatusElement,
  submitJob,
  waitForStatus,
} from './harness.ts'

let emulator: Emulator
afterEach(() => emulator?.close())

describe('era 2 lifecycle', () => {
  it('goes waiting -> pending -> succeeded with worker facts and a downloadable WebP', async () => {
    emulator = await startEmulator({ ...FAST, queueMs: 60, runMs: 150 })
    const id = await submitJob(emulator, 'a red fox', { preferred_gpu: ['H200', 'A100'] })
    const waiting = (await askStatus(emulator, [id])).body as StatusElement[]
    expect(waiting).toHaveLength(1)
    expect(Object.keys(waiting[0] ?? {}).sort()).toEqual([
      'elapsed_time',
      'job_id',
      'queue_position',
      'result',
      'status',
      'worker_city',
      'worker_country',
      'worker_gpu',
      'worker_name',
    ])
    expect(waiting[0]).toMatchObject({
      job_id: id,
      status: 'waiting',
      queue_position: 1,
      worker_name: '',
      result: '',
    })

    const pending = await waitForStatus(emulator, id, ['pending'])
    expect(pending.queue_position).toBe(0)
    expect(pending.worker_name).toMatch(/^akash-worker-\d+$/)
    expect(pending.worker_city).not.toBe('')
    expect(pending.worker_country).toMatch(/^[A-Z]{2}$/)
    expect(pending.worker_gpu).toBe('A100')
    // Elapsed time grows while it runs: ask until an answer shows it (or the job is done).
    await vi.waitFor(async () => {
      const later = await waitForStatus(emulator, id, ['pending', 'succeeded'])
      expect(later.elapsed_time).toBeGreaterThan(pending.elapsed_time)
    })

    const done = await waitForStatus(emulator, id, ['succeeded'])
    expect(done.result).toBe(`/api/image/job_${id.replaceAll('-', '').slice(0, 8)}_00001_.webp`)
    const image = await download(emulator, done.result)
    expect(image.code).toBe(200)
    expect(image.type).toBe('image/webp')
    expect(imageKind(image.bytes)).toBe('webp')
    expect((await sharp(image.bytes).metadata()).width).toBe(64)
    const view = emulator.jobs()[0]
    expect(view).toMatchObject({ jobId: id, prompt: 'a red fox', status: 'succeeded', result: done.result })
    expect(view?.finishedAt).toBeGreaterThanOrEqual(view?.submittedAt ?? Number.NaN)
    expect(view?.firstReportedFinalAt).toBeGreaterThanOrEqual(view?.finishedAt ?? Number.NaN)
  })

  it('draws different bytes for different prompts, the same bytes for the same prompt', async () => {
    emulator = await startEmulator(FAST)
    const [a, b, c] = await Promise.all([
      finishedJob(emulator, 'a cat'),
      finishedJob(emulator, 'a dog'),
      finishedJob(emulator, 'a cat'),
    ])
    const [ia, ib, ic] = await Promise.all([a, b, c].map((job) => download(emulator, job?.result ?? '')))
    expect(Buffer.compare(ia?.bytes ?? new Uint8Array(), ib?.bytes ?? new Uint8Array())).not.toBe(0)
    expect(Buffer.compare(ia?.bytes ?? new Uint8Array(), ic?.bytes ?? new Uint8Array())).toBe(0)
  })

  it.each([
    ['png', 'png'],
    ['jpeg', 'jpeg'],
  ] as const)('stores %s images when asked', async (format, kind) => {
    emulator = await startEmulator({ ...FAST, imageFormat: format })
    const done = await finishedJob(emulator)
    const image = await download(emulator, done.result)
    expect(image.type).toBe(`image/${format}`)
    expect(imageKind(image.bytes)).toBe(kind)
  })

  it('pads images to about imagePadBytes and keeps them decodable', async () => {
    emulator = await startEmulator({ ...FAST, imagePadBytes: 200_000 })
    const image = await download(emulator, (await finishedJob(emulator)).result)
    expect(image.bytes.length).toBeGreaterThanOrEqual(199_000)
    expect(image.bytes.length).toBeLessThanOrEqual(201_000)
    expect((await sharp(image.bytes).metadata()).format).toBe('webp')
  })
})

describe('era 1', () => {
  it('goes pending -> completed with a data URL', async () => {
    emulator = await startEmulator({ ...FAST, era: 1 })
    const id = await submitJob(emulator)
    expect(((await askStatus(emulator, [id])).body as StatusElement[])[0]?.status).toBe('pending')
    const done = await waitForStatus(emulator, id, ['completed'])
    expect(done.result).toMatch(/^data:image\/webp;base64,/)
    expect(imageKind(Buffer.from(done.result.split(',')[1] ?? '', 'base64'))).toBe('webp')
  })
})

describe('queue and workers', () => {
  it('keeps excess jobs waiting in FIFO order and tracks the in-flight peak', async () => {
    emulator = await startEmulator({ ...FAST, workers: 1, runMs: 150 })
    const ids = [
      await submitJob(emulator, 'one'),
      await submitJob(emulator, 'two'),
      await submitJob(emulator, 'three'),
    ]
    await waitForStatus(emulator, ids[0] ?? '', ['pending'])
    const { body } = await askStatus(emulator, ids)
    const byId = new Map((body as StatusElement[]).map((element) => [element.job_id, element]))
    expect(byId.get(ids[1] ?? '')).toMatchObject({ status: 'waiting', queue_position: 1 })
    expect(byId.get(ids[2] ?? '')).toMatchObject({ status: 'waiting', queue_position: 2 })
    expect(emulator.counters.inFlight).toBe(3)
    expect(emulator.counters.maxInFlight).toBe(3)
    await waitForStatus(emulator, ids[2] ?? '', ['succeeded'])
    expect(emulator.counters).toMatchObject({ inFlight: 0, maxInFlight: 3, completed: 3, failed: 0 })
  })

  it('keeps jobs waiting forever with stuckWaiting, and releases them when turned off', async () => {
    emulator = await startEmulator({ ...FAST, stuckWaiting: true })
    const id = await submitJob(emulator)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(((await askStatus(emulator, [id])).body as StatusElement[])[0]?.status).toBe('waiting')
    emulator.configure({ stuckWaiting: false })
    await waitForStatus(emulator, id, ['succeeded'])
  })
})

describe('job-level faults', () => {
  it('fails jobs at failRate 1 with a reason', async () => {
    emulator = await startEmulator({ ...FAST, failRate: 1 })
    const done = await waitForStatus(emulator, await submitJob(emulator), ['failed'])
    expect(done.result).not.toBe('')
    expect(emulator.counters.failed).toBe(1)
    expect((await download(emulator, `/api/image/${emulator.jobs()[0]?.imageFile}`)).code).toBe(404)
  })

  it('reports an unknown status word while running, then finishes', async () => {
    emulator = await startEmulator({ ...FAST, runMs: 150, unknownStatus: 'thinking' })
    const id = await submitJob(emulator)
    await waitForStatus(emulator, id, ['thinking'])
    await waitForStatus(emulator, id, ['succeeded'])
  })

  it.each([
    'https://evil.example/x.webp',
    '//evil.example/x.webp',
    '.evil.example/x',
    '@evil.example/x',
    'file:///etc/passwd',
  ])('reports the off-origin result %s', async (reference) => {
    emulator = await startEmulator({ ...FAST, offOriginResult: reference })
    expect((await finishedJob(emulator)).result).toBe(reference)
  })
})
