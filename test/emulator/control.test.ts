// Counters, run-time configuration and the /__emulator control endpoints.

import { type Emulator, startEmulator } from '@akashgen/emulator'
import { afterEach, describe, expect, it } from 'vitest'
import { askStatus, download, FAST, finishedJob, postGenerate, submitJob, waitForStatus } from './harness.ts'

let emulator: Emulator
afterEach(() => emulator?.close())

describe('counters', () => {
  it('counts submissions, prompts, status requests, ids, fetches and paths', async () => {
    emulator = await startEmulator(FAST)
    await postGenerate(emulator, { prompt: '' })
    const { result } = await finishedJob(emulator, 'a lighthouse')
    const polls = emulator.counters.statusRequests
    await askStatus(emulator, ['a', 'b', 'c'])
    await download(emulator, result)
    await download(emulator, `/_next/image?url=${encodeURIComponent(result)}&w=64&q=75`)
    const counters = emulator.counters
    expect(counters).toMatchObject({
      submissions: 2,
      submittedPrompts: ['a lighthouse'],
      statusRequests: polls + 1,
      imageFetches: 1,
      nextImageFetches: 1,
      completed: 1,
      failed: 0,
      inFlight: 0,
      maxInFlight: 1,
    })
    expect(counters.statusIdsAsked).toBe(polls + 3)
    expect(counters.requestsByPath).toMatchObject({
      '/api/generate': 2,
      '/api/status': polls + 1,
      '/_next/image': 1,
    })
  })

  it('resets in place, keeping jobs still in flight', async () => {
    emulator = await startEmulator({ ...FAST, stuckWaiting: true })
    const counters = emulator.counters
    await submitJob(emulator)
    emulator.resetCounters()
    expect(emulator.counters).toBe(counters)
    expect(counters).toMatchObject({
      submissions: 0,
      submittedPrompts: [],
      inFlight: 1,
      maxInFlight: 1,
      requestsByPath: {},
    })
  })
})

describe('configure()', () => {
  it('changes era, result shape and timing at run time', async () => {
    emulator = await startEmulator({ ...FAST, queueMs: 5000 })
    const id = await submitJob(emulator)
    emulator.configure({ queueMs: 0, resultShape: 'api-image-query' })
    expect((await waitForStatus(emulator, id, ['succeeded'], 1000)).result).toMatch(
      /^\/api\/image\?filename=/,
    )
    emulator.configure({ era: 1 })
    expect((await finishedJob(emulator)).result).toMatch(/^data:image\/webp/)
  })

  it('refuses a bad value, naming the option, and keeps the old options', async () => {
    emulator = await startEmulator(FAST)
    expect(() => emulator.configure({ workers: 0 })).toThrow(/workers/)
    await finishedJob(emulator)
  })
})

describe('/__emulator endpoints', () => {
  it('reads counters and jobs, configures and resets over HTTP', async () => {
    emulator = await startEmulator(FAST)
    await submitJob(emulator, 'over http')
    const counters = (await (await fetch(`${emulator.url}/__emulator/counters`)).json()) as {
      submissions: number
    }
    expect(counters.submissions).toBe(1)
    const jobs = (await (await fetch(`${emulator.url}/__emulator/jobs`)).json()) as Array<{ prompt: string }>
    expect(jobs.map((job) => job.prompt)).toEqual(['over http'])

    const post = (path: string, body: unknown) =>
      fetch(`${emulator.url}/__emulator/${path}`, { method: 'POST', body: JSON.stringify(body) })
    expect((await post('configure', { faults: { submit: { status: 503 } } })).status).toBe(200)
    expect((await postGenerate(emulator, { prompt: 'x' })).status).toBe(503)
    expect((await post('configure', { workers: 'many' })).status).toBe(400)
    expect((await post('configure', { faults: null })).status).toBe(200)
    const configured = await post('configure', { qualities: [75], elapsedTime: 'absent', finishedTtlMs: 5 })
    expect(await configured.json()).toMatchObject({
      qualities: [75],
      elapsedTime: 'absent',
      finishedTtlMs: 5,
    })
    expect((await post('configure', { unknownSampler: 'sometimes' })).status).toBe(400)
    expect(
      (await post('configure', { qualities: null, elapsedTime: null, finishedTtlMs: null })).status,
    ).toBe(200)
    expect((await postGenerate(emulator, { prompt: 'x' })).status).toBe(200)
    expect((await post('reset', {})).status).toBe(200)
    expect(emulator.counters.submissions).toBe(0)
  })
})
