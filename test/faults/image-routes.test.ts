// An optimiser that refuses our parameters (Next 16's qualities), and jobs the upstream forgets after success.

import { type Emulator, startEmulator } from '@akashgen/emulator'
import { afterEach, describe, expect, it } from 'vitest'
import { NOT_FOUND_RETRIES } from '../../server/polling/status-poller.ts'
import { IMAGE_ACCEPT } from '../../server/upstream/client.ts'
import { FAST_KNOBS, upstreamJobFor } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { faultGateway, generate } from './support.ts'

const harness = useGatewayHarness()
let evil: Emulator | undefined
afterEach(() => evil?.close())

/** The image requests the emulator answered, oldest first, as `<status> <url>`. */
function imageRequests(emulator: Emulator = harness.emulator): string[] {
  return emulator.counters.requestLog
    .filter(({ url }) => /^\/(api\/image|images\/|_next\/image)/.test(url))
    .map(({ url, status }) => `${status} ${url}`)
}

/** The bytes the emulator serves at `path`, asked for the way the gateway asks. */
async function bytesAt(path: string): Promise<Buffer> {
  const response = await fetch(new URL(path, harness.emulator.url), { headers: { accept: IMAGE_ACCEPT } })
  expect(response.status).toBe(200)
  return Buffer.from(await response.arrayBuffer())
}

/** POST /api/generate for the image bytes. */
async function generateBytes(gateway: TestGateway, prompt: string) {
  const response = await fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  })
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) }
}

/** `/_next/image` for the emulator job's image file, at width 2048 and quality `q`. */
const optimised = (file: string, q: number, inner = `/api/image/${file}`) =>
  `/_next/image?url=${encodeURIComponent(inner)}&w=2048&q=${q}`

describe('an optimiser that serves only some qualities (Next 16)', () => {
  it('q=100 refused: the gateway retries at q=75, delivers its exact bytes, and starts there next time', async () => {
    harness.emulator.configure({ resultShape: 'next-image', qualities: [75] })
    const gateway = await faultGateway(harness)
    const first = await generateBytes(gateway, 'first at 75')
    expect(first.status).toBe(200)
    const { imageFile } = upstreamJobFor(harness.emulator, 'first at 75')
    expect(imageRequests()).toEqual([`400 ${optimised(imageFile, 100)}`, `200 ${optimised(imageFile, 75)}`])
    expect(first.bytes.equals(await bytesAt(optimised(imageFile, 75)))).toBe(true)
    expect(gateway.logs.filter((line) => line.quality === '75')).toHaveLength(1)

    harness.emulator.resetCounters()
    const second = await generateBytes(gateway, 'second at 75')
    const { imageFile: secondFile } = upstreamJobFor(harness.emulator, 'second at 75')
    expect(second.status).toBe(200)
    expect(imageRequests()).toEqual([`200 ${optimised(secondFile, 75)}`])
    expect(second.bytes.equals(await bytesAt(optimised(secondFile, 75)))).toBe(true)
  })

  it('a bare path, served only through the optimiser: direct 404, q=100 refused, q=75 served', async () => {
    harness.emulator.configure({ resultShape: 'bare-path', qualities: [75] })
    const gateway = await faultGateway(harness)
    const answer = await generateBytes(gateway, 'a bare path')
    expect(answer.status).toBe(200)
    const { imageFile } = upstreamJobFor(harness.emulator, 'a bare path')
    const inner = `/images/${imageFile}`
    expect(imageRequests()).toEqual([
      `404 ${inner}`,
      `400 ${optimised(imageFile, 100, inner)}`,
      `200 ${optimised(imageFile, 75, inner)}`,
    ])
    expect(answer.bytes.equals(await bytesAt(optimised(imageFile, 75, inner)))).toBe(true)
  })

  it('no quality served: the inner path is fetched directly, and first from then on', async () => {
    harness.emulator.configure({ resultShape: 'next-image', qualities: [50] })
    const gateway = await faultGateway(harness)
    const first = await generateBytes(gateway, 'direct after refusals')
    const { imageFile } = upstreamJobFor(harness.emulator, 'direct after refusals')
    expect(first.status).toBe(200)
    expect(imageRequests()).toEqual([
      `400 ${optimised(imageFile, 100)}`,
      `400 ${optimised(imageFile, 75)}`,
      `200 /api/image/${imageFile}`,
    ])
    expect(first.bytes.equals(await bytesAt(`/api/image/${imageFile}`))).toBe(true)

    harness.emulator.resetCounters()
    expect((await generateBytes(gateway, 'direct at once')).status).toBe(200)
    const { imageFile: secondFile } = upstreamJobFor(harness.emulator, 'direct at once')
    expect(imageRequests()).toEqual([`200 /api/image/${secondFile}`])
  })

  it('an inner url on another origin is never fetched: the optimiser’s 400 ends the job as UPSTREAM_ERROR', async () => {
    evil = await startEmulator(FAST_KNOBS)
    const inner = `${evil.url}/api/image/x.webp`
    harness.emulator.configure({
      offOriginResult: `/_next/image?url=${encodeURIComponent(inner)}`,
      qualities: [75],
    })
    const gateway = await faultGateway(harness)
    const answer = await generate(gateway, 'an off-origin inner url')
    expect([answer.status, answer.code]).toEqual([502, 'UPSTREAM_ERROR'])
    expect(answer.body?.details).toMatchObject({ operation: 'image', status: 400 })
    expect(imageRequests().map((line) => line.slice(0, 3))).toEqual(['400', '400'])
    expect(evil.counters.requestLog).toEqual([])
  })

  it('the size cap holds on the retried quality', async () => {
    harness.emulator.configure({
      resultShape: 'next-image',
      qualities: [75],
      oversizedImageBytes: 3 * 1024 * 1024,
    })
    const gateway = await faultGateway(harness)
    const answer = await generate(gateway, 'too big at 75')
    expect([answer.status, answer.code]).toEqual([502, 'UPSTREAM_ERROR'])
    expect(answer.body?.details).toMatchObject({ maxBytes: 1024 * 1024 })
  })
})

describe('a job the upstream forgets after it succeeded', () => {
  /** GET the gateway's image for a job: status, code and bytes. */
  async function jobImage(gateway: TestGateway, jobId: string) {
    const response = await fetch(`${gateway.url}/api/jobs/${jobId}/image`)
    const bytes = Buffer.from(await response.arrayBuffer())
    const json = response.headers.get('content-type')?.startsWith('application/json')
    const body = json ? (JSON.parse(bytes.toString()) as { code: string; details: unknown }) : undefined
    return { status: response.status, bytes, body }
  }

  /** Runs a job to success without downloading its image (the finished Job view), then expires it upstream. */
  async function succeededThenForgotten(gateway: TestGateway, prompt: string, expiryKeepsImages: boolean) {
    const response = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ prompt }),
    })
    const view = (await response.json()) as { jobId: string; status: string }
    expect([response.status, view.status]).toEqual([200, 'succeeded'])
    const upstream = upstreamJobFor(harness.emulator, prompt)
    harness.emulator.configure({ finishedTtlMs: 0, expiryKeepsImages })
    const status = await fetch(`${harness.emulator.url}/api/status?ids=${upstream.jobId}`)
    expect(status.status).toBe(404)
    harness.emulator.resetCounters()
    return { jobId: view.jobId, upstream }
  }

  it('its image still served upstream: the gateway delivers it, asking no status again', async () => {
    const gateway = await faultGateway(harness)
    const { jobId, upstream } = await succeededThenForgotten(gateway, 'forgotten, image kept', true)
    const image = await jobImage(gateway, jobId)
    expect(image.status).toBe(200)
    expect(image.bytes.equals(await bytesAt(`/api/image/${upstream.imageFile}`))).toBe(true)
    expect(harness.emulator.counters.statusRequests).toBe(0)
  })

  it('its image gone too: 502 UPSTREAM_ERROR naming the image, and the job still reads succeeded', async () => {
    const gateway = await faultGateway(harness)
    const { jobId, upstream } = await succeededThenForgotten(gateway, 'forgotten with its image', false)
    const image = await jobImage(gateway, jobId)
    expect([image.status, image.body?.code]).toEqual([502, 'UPSTREAM_ERROR'])
    expect(image.body?.details).toMatchObject({
      operation: 'image',
      status: 400,
      reason: "The requested resource isn't a valid image.",
    })
    const direct = `/api/image/${upstream.imageFile}`
    expect(imageRequests()).toEqual([
      `404 ${direct}`,
      `400 ${optimised(upstream.imageFile, 100, direct)}`,
      `400 ${optimised(upstream.imageFile, 75, direct)}`,
    ])
    const view = (await (await fetch(`${gateway.url}/api/jobs/${jobId}`)).json()) as { status: string }
    expect(view.status).toBe('succeeded')
    expect(harness.emulator.counters.statusRequests).toBe(0)
  })

  it('an image the gateway already downloaded is served from its cache after the upstream forgot it', async () => {
    const gateway = await faultGateway(harness)
    const response = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ prompt: 'downloaded, then forgotten' }),
    })
    const { jobId } = (await response.json()) as { jobId: string }
    const before = await jobImage(gateway, jobId)
    expect(before.status).toBe(200)
    harness.emulator.configure({ finishedTtlMs: 0 })
    harness.emulator.resetCounters()
    const after = await jobImage(gateway, jobId)
    expect(after.status).toBe(200)
    expect(after.bytes.equals(before.bytes)).toBe(true)
    expect(imageRequests()).toEqual([])
  })

  it('forgotten the moment it ended, before any poll saw it succeed: 502 UPSTREAM_ERROR, NOT_FOUND', async () => {
    harness.emulator.configure({ finishedTtlMs: 0 })
    // Room for the poller's NOT_FOUND_RETRIES + 1 lone asks under the status cap (under the suite's 1 s
    // deadline the same job ends as 504 JOB_TIMEOUT before the gateway gives up on the id).
    const gateway = await faultGateway(harness, {
      AKASHGEN_JOB_TIMEOUT_MS: '5000',
      AKASHGEN_STATUS_RPS: '50',
    })
    const answer = await generate(gateway, 'never seen done')
    expect([answer.status, answer.code]).toEqual([502, 'UPSTREAM_ERROR'])
    expect(answer.body?.details).toMatchObject({ reason: 'NOT_FOUND', tries: NOT_FOUND_RETRIES + 1 })
    expect(upstreamJobFor(harness.emulator, 'never seen done').status).toBe('succeeded')
  })
})
