/** useGenerateImage against a real gateway and the emulator on loopback: progress, image, cancel, errors. */
import { resolveObjectURL } from 'node:buffer'
import { createAkashGenClient, type JobStatus } from '@akashgen/client'
import { fieldErrorsOf, type GenerateImageState, useGenerateImage } from '@akashgen/react'
import { act, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useDom } from '../support/dom.ts'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { PAGE_ORIGIN, renderWithGateway } from './render.tsx'

useDom(PAGE_ORIGIN)
const harness = useGatewayHarness()
const openGateway = () => harness.openGateway({ AKASHGEN_CORS_ORIGINS: PAGE_ORIGIN })

/** Object URLs the hooks created and revoked (the real URL functions, watched). */
const objectUrls = { created: [] as string[], revoked: [] as string[] }
beforeEach(() => {
  objectUrls.created = []
  objectUrls.revoked = []
  const create = URL.createObjectURL.bind(URL)
  const revoke = URL.revokeObjectURL.bind(URL)
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    const url = create(blob)
    objectUrls.created.push(url)
    return url
  })
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => {
    objectUrls.revoked.push(url)
    revoke(url)
  })
})
afterEach(() => vi.restoreAllMocks())

/** The bytes behind an object URL the hook made. */
async function objectUrlBytes(url: string | undefined): Promise<Buffer> {
  const blob = resolveObjectURL(url ?? '')
  if (!blob) throw new Error(`${url} is not a live object URL`)
  return Buffer.from(await blob.arrayBuffer())
}

/** The job's status as the gateway reports it now. */
async function gatewayStatus(url: string, jobId: string): Promise<JobStatus> {
  return (await createAkashGenClient({ url }).jobStatus.query({ jobId })).status
}

const until = (check: () => void) => waitFor(check, { timeout: 10_000 })

describe('useGenerateImage', () => {
  it("shows live progress, then the emulator's image from an object URL revoked on reset", async () => {
    resetEmulator(harness.emulator, { queueMs: 150, runMs: 1_000 })
    const gateway = await openGateway()
    const seen: GenerateImageState[] = []
    const { result, renders } = renderWithGateway(gateway.url, () => {
      const state = useGenerateImage()
      seen.push(state)
      return state
    })
    expect(result.current.status).toBe('idle')
    const before = renders.count
    act(() => result.current.generate({ prompt: 'a hook made this' }))
    await until(() => expect(result.current.imageUrl).toBeDefined())
    const rendersPerJob = renders.count - before
    console.info(`useGenerateImage: ${rendersPerJob} renders from generate() to the image`)

    const upstream = upstreamJobFor(harness.emulator, 'a hook made this')
    const statuses = [...new Set(seen.map((state) => state.status))]
    expect(statuses).toEqual(['idle', 'submitting', 'queued', 'running', 'succeeded'])
    const running = seen.find((state) => state.status === 'running')
    expect(running?.progress?.worker?.name).toBe(upstream.workerName)
    expect(running?.progress?.queuePosition).toBe(0)
    expect(result.current.progress?.elapsedMs).toBeGreaterThan(0)
    expect(result.current.error).toBeNull()
    // One render per job event, plus submitting, accepted and the image: nothing renders on a timer.
    const events = new Set(seen.map((state) => state.job).filter(Boolean)).size
    expect(rendersPerJob).toBeLessThanOrEqual(events + 3)

    const served = await servedImage(harness.emulator, upstream)
    const imageUrl = result.current.imageUrl
    expect(objectUrls.created).toEqual([imageUrl])
    expect((await objectUrlBytes(imageUrl)).equals(served.bytes)).toBe(true)

    act(() => result.current.reset())
    await until(() => expect(result.current.status).toBe('idle'))
    expect([result.current.imageUrl, result.current.job]).toEqual([undefined, undefined])
    expect(objectUrls.revoked).toEqual([imageUrl])
    expect(resolveObjectURL(imageUrl ?? '')).toBeUndefined()
  })

  it("sends the provider's API key on the call, the event stream and the image download", async () => {
    const key = 'react-hooks-test-key-0123456789'
    const gateway = await harness.openGateway({ AKASHGEN_CORS_ORIGINS: PAGE_ORIGIN, AKASHGEN_API_KEYS: key })
    const { result } = renderWithGateway(gateway.url, () => useGenerateImage(), key)
    act(() => result.current.generate({ prompt: 'behind a key' }))
    await until(() => expect(result.current.imageUrl).toBeDefined())
    const served = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, 'behind a key'))
    expect((await objectUrlBytes(result.current.imageUrl)).equals(served.bytes)).toBe(true)

    const { result: keyless } = renderWithGateway(gateway.url, () => useGenerateImage())
    act(() => keyless.current.generate({ prompt: 'without the key' }))
    await until(() => expect(keyless.current.error?.code).toBe('UNAUTHORIZED'))
  })

  it('revokes the object URL when the component unmounts', async () => {
    const gateway = await openGateway()
    const { result, unmount } = renderWithGateway(gateway.url, () => useGenerateImage())
    act(() => result.current.generate({ prompt: 'unmounted after the image' }))
    await until(() => expect(result.current.imageUrl).toBeDefined())
    const imageUrl = result.current.imageUrl
    unmount()
    expect(objectUrls.revoked).toEqual([imageUrl])
  })

  it('cancels the running job on the gateway when the component unmounts', async () => {
    resetEmulator(harness.emulator, { runMs: 60_000 })
    const gateway = await openGateway()
    const { result, unmount } = renderWithGateway(gateway.url, () => useGenerateImage())
    act(() => result.current.generate({ prompt: 'abandoned while running' }))
    await until(() => expect(result.current.status).toBe('running'))
    const jobId = result.current.job?.jobId ?? ''
    unmount()
    await until(async () => expect(await gatewayStatus(gateway.url, jobId)).toBe('cancelled'))
  })

  it('keeps the job running after an unmount with keepRunning', async () => {
    resetEmulator(harness.emulator, { runMs: 1_500 })
    const gateway = await openGateway()
    const { result, unmount } = renderWithGateway(gateway.url, () => useGenerateImage({ keepRunning: true }))
    act(() => result.current.generate({ prompt: 'left running on purpose' }))
    await until(() => expect(result.current.status).toBe('running'))
    const jobId = result.current.job?.jobId ?? ''
    unmount()
    await until(async () => expect(await gatewayStatus(gateway.url, jobId)).toBe('succeeded'))
  })

  it('cancel() stops the job on the gateway and reports it cancelled', async () => {
    resetEmulator(harness.emulator, { runMs: 60_000 })
    const gateway = await openGateway()
    const { result } = renderWithGateway(gateway.url, () => useGenerateImage())
    act(() => result.current.generate({ prompt: 'cancelled by the user' }))
    await until(() => expect(result.current.status).toBe('running'))
    act(() => result.current.cancel())
    await until(() => expect(result.current.status).toBe('cancelled'))
    expect(result.current.error?.code).toBe('CANCELLED')
    expect(await gatewayStatus(gateway.url, result.current.job?.jobId ?? '')).toBe('cancelled')
  })

  it("reports a refused input with the gateway's code, message and field errors", async () => {
    const gateway = await openGateway()
    const upstreamJobs = harness.emulator.jobs().length
    const { result } = renderWithGateway(gateway.url, () => useGenerateImage())
    act(() => result.current.generate({ prompt: 'x'.repeat(2001) }))
    await until(() => expect(result.current.error).not.toBeNull())
    expect(result.current.error?.code).toBe('INVALID_REQUEST')
    expect(result.current.error?.message).toContain('2000')
    expect(fieldErrorsOf(result.current.error).prompt?.join('; ')).toContain('2000')
    expect(result.current.status).toBe('idle')
    expect(harness.emulator.jobs()).toHaveLength(upstreamJobs)
  })
})
