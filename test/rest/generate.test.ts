/** POST /api/generate as curl users call it: the README example, every result shape, exact bytes. */

import { beforeEach, describe, expect, it } from 'vitest'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()
let gateway: TestGateway
beforeEach(async () => {
  gateway = await harness.openGateway()
})

const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('POST /api/generate', () => {
  describe('the Go proxy README example', () => {
    it.each([
      ['A1111 spelling', { sampler: 'DPM++ 2M Karras', scheduler: 'karras' }, 'dpmpp_2m', 'karras'],
      ['ComfyUI spelling', { sampler: 'dpmpp_2m', scheduler: 'sgm_uniform' }, 'dpmpp_2m', 'sgm_uniform'],
      ['alias without scheduler', { sampler: 'Euler a' }, 'euler_ancestral', 'normal'],
      [
        'alias with another scheduler',
        { sampler: 'DPM++ 2M Karras', scheduler: 'exponential' },
        'dpmpp_2m',
        'exponential',
      ],
    ])(
      '%s returns the harness.emulator image bytes and type',
      async (_name, sampling, sampler, scheduler) => {
        const prompt = `a lighthouse at dawn (${sampler}/${scheduler})`
        const response = await post({ prompt, negative: 'blurry', ...sampling })
        expect(response.status).toBe(200)
        const bytes = Buffer.from(await response.arrayBuffer())
        const job = upstreamJobFor(harness.emulator, prompt)
        expect(job).toMatchObject({ sampler, scheduler, negative: 'blurry' })
        const served = await servedImage(harness.emulator, job)
        expect(response.headers.get('content-type')).toBe('image/webp')
        expect(bytes.equals(served.bytes)).toBe(true)
        expect(response.headers.get('x-job-id')).toMatch(/^[0-9a-f-]{36}$/)
        expect(harness.emulator.counters.submissions).toBe(1)
      },
    )
  })

  describe('every result shape the upstream may answer', () => {
    it.each([
      ['api-image-path', { resultShape: 'api-image-path' }, 'image/webp'],
      ['api-image-query', { resultShape: 'api-image-query' }, 'image/webp'],
      ['next-image', { resultShape: 'next-image' }, 'image/webp'],
      ['bare path served only through /_next/image', { resultShape: 'bare-path' }, 'image/webp'],
      ['data URL', { resultShape: 'data-url' }, 'image/webp'],
      ['era 1 (pending -> completed, data URL)', { era: 1 }, 'image/webp'],
      ['PNG image', { imageFormat: 'png' }, 'image/png'],
      ['JPEG image', { imageFormat: 'jpeg' }, 'image/jpeg'],
    ] as const)('%s', async (name, knobs, contentType) => {
      resetEmulator(harness.emulator, knobs)
      const prompt = `shape ${name}`
      const response = await post({ prompt, sampler: 'euler', scheduler: 'normal' })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe(contentType)
      const bytes = Buffer.from(await response.arrayBuffer())
      const served = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, prompt))
      expect(bytes.equals(served.bytes)).toBe(true)
    })

    it('different prompts give different images', async () => {
      const [a, b] = await Promise.all([post({ prompt: 'red fox' }), post({ prompt: 'blue whale' })])
      const [bytesA, bytesB] = await Promise.all([a.arrayBuffer(), b.arrayBuffer()])
      expect(Buffer.from(bytesA).equals(Buffer.from(bytesB))).toBe(false)
    })
  })

  describe('an upstream that briefly does not know a fresh job', () => {
    it.each(['404', 'string'] as const)(
      'still succeeds when it answers %s for the first polls',
      async (notFound) => {
        resetEmulator(harness.emulator, { notFound, unknownForFirstPolls: 3 })
        const response = await post({ prompt: `late job ${notFound}` })
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toBe('image/webp')
      },
    )
  })

  describe('the finished job afterwards', () => {
    it('serves the same bytes at /api/jobs/:id/image', async () => {
      const response = await post({ prompt: 'kept for later' })
      const bytes = Buffer.from(await response.arrayBuffer())
      const jobId = response.headers.get('x-job-id')
      const again = await fetch(`${gateway.url}/api/jobs/${jobId}/image`)
      expect(again.status).toBe(200)
      expect(again.headers.get('content-type')).toBe('image/webp')
      expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true)
    })

    it('fetches an image again from the upstream once the cache has evicted it', async () => {
      resetEmulator(harness.emulator, { imageSize: 256 })
      const small = await harness.openGateway({ AKASHGEN_IMAGE_CACHE_BYTES: '1500' })
      const call = (prompt: string) =>
        fetch(`${small.url}/api/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prompt }),
        })
      const first = await call('evicted first')
      const firstBytes = Buffer.from(await first.arrayBuffer())
      expect(firstBytes.byteLength).toBeGreaterThan(750)
      for (const prompt of ['pushes it out', 'and again', 'and once more'])
        await (await call(prompt)).arrayBuffer()
      const fetchesBefore = harness.emulator.counters.imageFetches
      const again = await fetch(`${small.url}/api/jobs/${first.headers.get('x-job-id')}/image`)
      expect(again.status).toBe(200)
      expect(Buffer.from(await again.arrayBuffer()).equals(firstBytes)).toBe(true)
      expect(harness.emulator.counters.imageFetches).toBe(fetchesBefore + 1)
    })

    it('forgets a job once its retention has passed', async () => {
      const brief = await harness.openGateway({ AKASHGEN_RETENTION_MS: '200' })
      const response = await fetch(`${brief.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'short-lived' }),
      })
      await response.arrayBuffer()
      const image = `${brief.url}/api/jobs/${response.headers.get('x-job-id')}/image`
      expect((await fetch(image)).status).toBe(200)
      // Retention is counted from the job's end: wait for the gateway to forget it, not for a guessed time.
      await expect.poll(async () => (await fetch(image)).status, { timeout: 5000 }).toBe(404)
      const gone = await fetch(image)
      expect(await gone.json()).toMatchObject({ code: 'NOT_FOUND' })
    })

    it('answers 404 NOT_FOUND for an unknown job and 400 for a malformed id', async () => {
      const unknown = await gateway.app.inject('/api/jobs/00000000-0000-4000-8000-000000000000/image')
      expect(unknown.statusCode).toBe(404)
      expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND' })
      const malformed = await gateway.app.inject(`/api/jobs/${encodeURIComponent('..%2f..')}/image`)
      expect(malformed.statusCode).toBe(400)
      expect(malformed.json()).toMatchObject({ code: 'INVALID_REQUEST' })
      expect(harness.emulator.counters.statusRequests + harness.emulator.counters.imageFetches).toBe(0)
    })
  })
})

describe('GET /health', () => {
  it('answers status ok with version, upstream, slots and queue', async () => {
    const response = await gateway.app.inject('/health')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      upstream: harness.emulator.url,
      slots: { inUse: 0, max: 10 },
      queue: { length: 0, max: 100 },
    })
  })
})

describe('request ids', () => {
  it('echoes a caller-supplied x-request-id and makes one otherwise', async () => {
    const given = await gateway.app.inject({ url: '/health', headers: { 'x-request-id': 'trace-123' } })
    expect(given.headers['x-request-id']).toBe('trace-123')
    const made = await gateway.app.inject('/health')
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})
