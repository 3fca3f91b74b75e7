/** POST /api/generate beyond the Go proxy: bounded waits, the Job view on request, and job headers. */

import { createAkashGenClient } from '@akashgen/client'
import { describe, expect, it, vi } from 'vitest'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

const generate = (gateway: TestGateway, body: object, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('Prefer: wait=N', () => {
  it('answers 202 with Location and Retry-After when the job is not done in time, and the job goes on', async () => {
    resetEmulator(harness.emulator, { runMs: 1500 })
    const gateway = await harness.openGateway()
    const response = await generate(gateway, { prompt: 'slow lighthouse' }, { prefer: 'wait=0' })
    expect(response.status).toBe(202)
    const location = response.headers.get('location')
    expect(location).toMatch(/^\/api\/jobs\/[0-9a-f-]{36}$/)
    expect(response.headers.get('preference-applied')).toBe('wait=0')
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const view = (await response.json()) as { jobId: string; status: string }
    expect(location).toBe(`/api/jobs/${view.jobId}`)
    expect(['queued', 'running']).toContain(view.status)
    // Not cancelled: the image arrives later at the job's image URL.
    const client = createAkashGenClient({ url: gateway.url })
    const seen: string[] = []
    await vi.waitFor(
      async () => {
        seen.push((await client.jobStatus.query({ jobId: view.jobId })).status)
        expect(seen.at(-1)).toBe('succeeded')
      },
      { timeout: 10_000, interval: 100 },
    )
    for (const status of seen) expect(['queued', 'running', 'succeeded']).toContain(status)
    const image = await fetch(`${gateway.url}${location}/image`)
    expect(image.status).toBe(200)
  })

  it('answers the image as usual when the job finishes within the wait', async () => {
    const gateway = await harness.openGateway()
    const response = await generate(gateway, { prompt: 'quick fox' }, { prefer: 'wait=30' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/webp')
  })

  it('treats Prefer: respond-async as wait=0', async () => {
    resetEmulator(harness.emulator, { runMs: 1000 })
    const gateway = await harness.openGateway()
    const response = await generate(gateway, { prompt: 'async please' }, { prefer: 'respond-async' })
    expect(response.status).toBe(202)
  })
})

describe('Accept: application/json', () => {
  it('answers the finished Job view instead of the bytes', async () => {
    const gateway = await harness.openGateway()
    const response = await generate(gateway, { prompt: 'json view' }, { accept: 'application/json' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const job = (await response.json()) as { status: string; imageUrl: string; worker: { gpu: string } }
    expect(job.status).toBe('succeeded')
    expect(job.worker.gpu).not.toBe('')
    const image = await fetch(job.imageUrl)
    const served = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, 'json view'))
    expect(Buffer.from(await image.arrayBuffer()).equals(served.bytes)).toBe(true)
  })

  it('still answers bytes to curl and browsers (*/*)', async () => {
    const gateway = await harness.openGateway()
    const response = await generate(gateway, { prompt: 'bytes please' }, { accept: '*/*' })
    expect(response.headers.get('content-type')).toBe('image/webp')
  })
})

describe('response headers', () => {
  it('name the job, the worker GPU and the upstream elapsed time', async () => {
    const gateway = await harness.openGateway()
    const response = await generate(gateway, { prompt: 'headers' })
    await response.arrayBuffer()
    const upstream = upstreamJobFor(harness.emulator, 'headers')
    expect(response.headers.get('x-job-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.headers.get('x-worker-gpu')).toBe(upstream.workerGpu)
    expect(Number(response.headers.get('x-upstream-elapsed'))).toBeGreaterThan(0)
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0)
  })
})

describe('large images', () => {
  it('streams a 2 MiB image byte for byte', async () => {
    resetEmulator(harness.emulator, { imagePadBytes: 2 * 1024 * 1024 })
    const gateway = await harness.openGateway()
    const response = await generate(gateway, { prompt: 'big one' })
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(bytes.byteLength).toBeGreaterThanOrEqual(2 * 1024 * 1024)
    const served = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, 'big one'))
    expect(bytes.equals(served.bytes)).toBe(true)
  })
})
