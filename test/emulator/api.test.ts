// The submit and status endpoints: input checks, not-found answers, batches and answer shapes.

import { type Emulator, startEmulator } from '@akashgen/emulator'
import { afterEach, describe, expect, it } from 'vitest'
import { askStatus, FAST, postGenerate, type StatusElement, submitJob } from './harness.ts'

let emulator: Emulator
afterEach(() => emulator?.close())

describe('POST /api/generate', () => {
  it('answers a uuid v4 job id, a queue position and waiting', async () => {
    emulator = await startEmulator(FAST)
    const res = await postGenerate(emulator, {
      prompt: 'a fox',
      negative: '',
      sampler: 'euler',
      scheduler: 'karras',
    })
    const body = (await res.json()) as Record<string, unknown>
    expect(res.status).toBe(200)
    expect(body.job_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(body).toMatchObject({ queue_position: 1, status: 'waiting' })
    expect(emulator.jobs()[0]).toMatchObject({ sampler: 'euler', scheduler: 'karras' })
  })

  it.each([
    ['a missing prompt', { negative: '' }],
    ['an empty prompt', { prompt: '   ' }],
    ['an unknown sampler', { prompt: 'x', sampler: 'DPM++ 2M Karras' }],
    ['an unknown scheduler', { prompt: 'x', scheduler: 'fancy' }],
    ['a body that is not JSON', '{"prompt": '],
  ])('refuses %s with 400 and an error, creating no job', async (_name, body) => {
    emulator = await startEmulator(FAST)
    const res = await postGenerate(emulator, body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toBeTypeOf('string')
    expect(emulator.jobs()).toHaveLength(0)
    expect(emulator.counters.submittedPrompts).toEqual([])
  })
})

describe('GET /api/status', () => {
  it('answers 400 when ids is missing', async () => {
    emulator = await startEmulator(FAST)
    const res = await fetch(`${emulator.url}/api/status`)
    expect(res.status).toBe(400)
  })

  it('answers 404 with an error for an unknown id, or the old 200 string', async () => {
    emulator = await startEmulator(FAST)
    expect(await askStatus(emulator, ['nope'])).toEqual({ code: 404, body: { error: 'Job not found' } })
    emulator.configure({ notFound: 'string' })
    expect(await askStatus(emulator, ['nope'])).toEqual({ code: 200, body: 'Job not found: nope' })
  })

  it('answers one element per known id in a batch, leaving unknown ids out', async () => {
    emulator = await startEmulator(FAST)
    const a = await submitJob(emulator, 'a')
    const b = await submitJob(emulator, 'b')
    const { code, body } = await askStatus(emulator, [a, 'unknown-id', b])
    expect(code).toBe(200)
    expect((body as StatusElement[]).map((element) => element.job_id).sort()).toEqual([a, b].sort())
    expect(emulator.counters.statusIdsAsked).toBe(3)
  })

  it("answers only the first id with batch 'first-only'", async () => {
    emulator = await startEmulator({ ...FAST, batch: 'first-only' })
    const a = await submitJob(emulator, 'a')
    const b = await submitJob(emulator, 'b')
    const { body } = await askStatus(emulator, [a, b])
    expect((body as StatusElement[]).map((element) => element.job_id)).toEqual([a])
  })

  it('reports a just-submitted job unknown for its first polls', async () => {
    emulator = await startEmulator({ ...FAST, unknownForFirstPolls: 2 })
    const id = await submitJob(emulator)
    expect((await askStatus(emulator, [id])).code).toBe(404)
    expect((await askStatus(emulator, [id])).code).toBe(404)
    expect((await askStatus(emulator, [id])).code).toBe(200)
  })

  it('answers [] with emptyStatusArray', async () => {
    emulator = await startEmulator({ ...FAST, emptyStatusArray: true })
    expect(await askStatus(emulator, [await submitJob(emulator)])).toEqual({ code: 200, body: [] })
  })

  it('plays the keyed, statuses and bare answer shapes', async () => {
    emulator = await startEmulator({ ...FAST, statusShape: 'keyed' })
    const id = await submitJob(emulator)
    expect(((await askStatus(emulator, [id])).body as Record<string, StatusElement>)[id]?.job_id).toBe(id)
    emulator.configure({ statusShape: 'statuses' })
    expect(
      ((await askStatus(emulator, [id])).body as { statuses: StatusElement[] }).statuses[0]?.job_id,
    ).toBe(id)
    emulator.configure({ statusShape: 'bare' })
    expect(((await askStatus(emulator, [id])).body as StatusElement).job_id).toBe(id)
  })
})

describe('other paths', () => {
  it('answers 404 for anything else', async () => {
    emulator = await startEmulator(FAST)
    expect((await fetch(`${emulator.url}/api/whatever`)).status).toBe(404)
    expect((await fetch(`${emulator.url}/`)).status).toBe(404)
  })
})
