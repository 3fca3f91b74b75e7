// The download cap against a real emulator: a caller beyond it waits, and gives up at its bound or hang-up.
import { describe, expect, it, vi } from 'vitest'
import { JobImages } from '../../server/jobs/job-images.ts'
import type { JobRecord } from '../../server/jobs/job-record.ts'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { upstreamParts } from './engine-contract.ts'

// The harness's harness.emulator only: this test drives the image downloads, not a gateway.
const harness = useGatewayHarness()

/** A succeeded job whose image reference is `file` on the harness.emulator. */
const succeeded = (id: string): JobRecord => ({
  id,
  request: {
    prompt: 'x',
    negative: '',
    sampler: 'dpmpp_2m',
    scheduler: 'sgm_uniform',
  } as JobRecord['request'],
  status: 'succeeded',
  queuePosition: 0,
  worker: null,
  createdAt: Date.now(),
  finishedAt: Date.now(),
  upstreamResult: `/api/image/${id}.webp`,
  events: [],
})

describe('AKASHGEN_MAX_IMAGE_DOWNLOADS', () => {
  it('a caller beyond the cap waits for a slot, then gets UPSTREAM_TIMEOUT; a hang-up ends a wait at once', async () => {
    resetEmulator(harness.emulator, { faults: { image: { hang: true } } })
    const { upstream, poller } = upstreamParts(harness.emulator.url)
    const images = new JobImages(
      { cacheBytes: 0, retentionMs: 60_000, maxDownloads: 1, slotWaitMs: 200 },
      upstream,
    )
    const first = new AbortController()
    const holding = images.open(succeeded('a'), first.signal).catch((error: Error) => error.message)
    await expect(images.open(succeeded('b'))).rejects.toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      details: { maxDownloads: 1, timeoutMs: 200 },
    })
    const hangUp = new AbortController()
    const waiting = images.open(succeeded('c'), hangUp.signal)
    expect(images.downloads).toEqual({ inUse: 1, waiting: 1 })
    hangUp.abort(new Error('the caller hung up'))
    await expect(waiting).rejects.toThrow('the caller hung up')
    expect(images.downloads).toEqual({ inUse: 1, waiting: 0 })
    first.abort(new Error('done'))
    expect(await holding).toBe('done')
    // The last caller gone, the download is stopped and its slot freed.
    await vi.waitFor(() => expect(images.downloads).toEqual({ inUse: 0, waiting: 0 }))
    poller.close()
  })
})
