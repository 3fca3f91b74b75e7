/** useJob on a job started elsewhere (another tab, a server): its live state and its image, by id. */
import { resolveObjectURL } from 'node:buffer'
import { createAkashGenClient } from '@akashgen/client'
import { useJob } from '@akashgen/react'
import { waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { useDom } from '../support/dom.ts'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { startStreamCuttingProxy } from '../support/proxy.ts'
import { PAGE_ORIGIN, renderWithGateway } from './render.tsx'

useDom(PAGE_ORIGIN)
const harness = useGatewayHarness()

describe('useJob', () => {
  it('follows a job another client started, to its image', async () => {
    resetEmulator(harness.emulator, { runMs: 1_000 })
    const gateway = await harness.openGateway({ AKASHGEN_CORS_ORIGINS: PAGE_ORIGIN })
    const server = createAkashGenClient({ url: gateway.url })
    const { jobId } = await server.generate.mutate({ prompt: 'started by a server' })

    const { result } = renderWithGateway(gateway.url, () => useJob(jobId))
    await waitFor(() => expect(result.current.status).toBe('running'), { timeout: 10_000 })
    expect(result.current.progress?.worker?.name).toBe(
      upstreamJobFor(harness.emulator, 'started by a server').workerName,
    )
    await waitFor(() => expect(result.current.imageUrl).toBeDefined(), { timeout: 10_000 })
    expect(result.current.job?.jobId).toBe(jobId)
    const served = await servedImage(
      harness.emulator,
      upstreamJobFor(harness.emulator, 'started by a server'),
    )
    const shown = await resolveObjectURL(result.current.imageUrl ?? '')?.arrayBuffer()
    expect(Buffer.from(shown ?? new ArrayBuffer(0)).equals(served.bytes)).toBe(true)
  })

  it('resumes after the event stream is cut, from the last event seen, to the image', async () => {
    resetEmulator(harness.emulator, { queueMs: 300, runMs: 1_500 })
    const gateway = await harness.openGateway({ AKASHGEN_CORS_ORIGINS: PAGE_ORIGIN })
    const proxy = await startStreamCuttingProxy(gateway.url, 500)
    const { streams } = proxy
    try {
      const { jobId } = await createAkashGenClient({ url: gateway.url }).generate.mutate({
        prompt: 'cut short',
      })
      const { result } = renderWithGateway(proxy.url, () => useJob(jobId))
      await waitFor(() => expect(result.current.imageUrl).toBeDefined(), { timeout: 15_000 })
      expect(result.current.status).toBe('succeeded')
      expect(streams.length).toBeGreaterThanOrEqual(2)
      expect(streams[1]?.headers['last-event-id']).toMatch(/^\d+$/)
    } finally {
      await proxy.close()
    }
  })

  it("reports a failed job with the gateway's code and message", async () => {
    resetEmulator(harness.emulator, { failRate: 1, failureReason: 'the worker ran out of memory' })
    const gateway = await harness.openGateway({ AKASHGEN_CORS_ORIGINS: PAGE_ORIGIN })
    const client = createAkashGenClient({ url: gateway.url })
    const { jobId } = await client.generate.mutate({ prompt: 'doomed' })
    const { result } = renderWithGateway(gateway.url, () => useJob(jobId))
    await waitFor(() => expect(result.current.status).toBe('failed'), { timeout: 10_000 })
    const { error } = await client.jobStatus.query({ jobId })
    expect(error?.message).toContain('out of memory')
    expect([result.current.error?.code, result.current.error?.message]).toEqual([error?.code, error?.message])
    expect(result.current.imageUrl).toBeUndefined()
  })

  it('reports an unknown job with code NOT_FOUND', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_CORS_ORIGINS: PAGE_ORIGIN })
    const { result } = renderWithGateway(gateway.url, () => useJob('00000000-0000-4000-8000-000000000000'))
    await waitFor(() => expect(result.current.error?.code).toBe('NOT_FOUND'), { timeout: 10_000 })
    expect(result.current.job).toBeUndefined()
  })
})
