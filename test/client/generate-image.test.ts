// generateImage() as an app calls it: one promise from prompt to bytes, against the real gateway and emulator.
import { randomUUID } from 'node:crypto'
import { getEventListeners } from 'node:events'
import {
  AkashGenError,
  createAkashGenClient,
  type GenerateImageOptions,
  generateImage,
  type Job,
  type JobStatus,
} from '@akashgen/client'
import { describe, expect, it } from 'vitest'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()
const openGateway = harness.openGateway

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The AkashGenError generateImage rejected with (fails the test if it resolved or threw something else). */
async function rejectionOf(call: Promise<unknown>): Promise<AkashGenError> {
  const error = await call.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(AkashGenError)
  return error as AkashGenError
}

/** Reads statusRequests once the counter has settled, then again a while later: equal when polling stopped. */
async function statusRequestsOverAPause(): Promise<[number, number]> {
  // A status request already on the wire when the job stopped may still land: let it settle first.
  await pause(50)
  const before = harness.emulator.counters.statusRequests
  await pause(200)
  return [before, harness.emulator.counters.statusRequests]
}

const RANK: Record<JobStatus, number> = {
  queued: 0,
  running: 1,
  succeeded: 2,
  failed: 2,
  cancelled: 2,
  timed_out: 2,
}

describe('generateImage', () => {
  describe('when the job succeeds', () => {
    it('resolves with the exact bytes the upstream served, and reports progress in order', async () => {
      resetEmulator(harness.emulator, { runMs: 300 })
      const gateway = await openGateway()
      const prompt = `a paper boat ${randomUUID()}`
      const seen: Job[] = []

      const image = await generateImage({ prompt }, { url: gateway.url, onStatus: (job) => seen.push(job) })

      const expected = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, prompt))
      expect(Buffer.from(image.bytes).equals(expected.bytes)).toBe(true)
      expect(image.contentType).toBe(expected.type)
      expect(image.job.status).toBe('succeeded')
      expect(image.job.worker?.name).toMatch(/^akash-worker-\d+$/)

      const statuses = seen.map((job) => job.status)
      expect(statuses.at(-1)).toBe('succeeded')
      expect(statuses.some((status) => RANK[status] < RANK.succeeded)).toBe(true)
      const ranks = statuses.map((status) => RANK[status])
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
      expect(new Set(seen.map((job) => job.jobId))).toEqual(new Set([image.job.jobId]))
    })

    it('asks the upstream for the GPUs in preferredGpu, and the image comes from one of them', async () => {
      const gateway = await openGateway()
      const prompt = `a GPU-picky boat ${randomUUID()}`
      const image = await generateImage({ prompt, preferredGpu: ['H100'] }, { url: gateway.url })
      expect(image.job.worker?.gpu).toBe('H100')
      expect(upstreamJobFor(harness.emulator, prompt).preferredGpu).toEqual(['H100'])
    })

    it.each([
      ['a trailing slash', '/'],
      ['a /trpc suffix', '/trpc'],
      ['a /trpc/ suffix', '/trpc/'],
    ])('accepts a gateway URL with %s', async (_name, suffix) => {
      const gateway = await openGateway()
      const prompt = `a url variant ${randomUUID()}`
      const image = await generateImage({ prompt }, { url: gateway.url + suffix })
      const expected = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, prompt))
      expect(Buffer.from(image.bytes).equals(expected.bytes)).toBe(true)
    })

    it('follows jobs with one signal without leaving abort listeners on it', async () => {
      resetEmulator(harness.emulator, { runMs: 300 })
      const gateway = await openGateway()
      const warnings: Error[] = []
      const onWarning = (warning: Error) => warnings.push(warning)
      process.on('warning', onWarning)
      const controller = new AbortController()
      try {
        // More jobs than EventTarget's default listener limit (10): one leaked listener each would warn.
        for (let i = 0; i < 11; i++) {
          const statuses: JobStatus[] = []
          const image = await generateImage(
            { prompt: `one signal, job ${i}` },
            { url: gateway.url, signal: controller.signal, onStatus: (job) => statuses.push(job.status) },
          )
          expect(image.job.status).toBe('succeeded')
          expect(statuses.length).toBeGreaterThan(1)
          expect(getEventListeners(controller.signal, 'abort')).toEqual([])
        }
        await pause(0)
      } finally {
        process.off('warning', onWarning)
      }
      expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning')
    })
  })

  describe('when the job does not succeed', () => {
    it('rejects with JOB_FAILED, the upstream reason and the failed job', async () => {
      resetEmulator(harness.emulator, { failRate: 1 })
      const gateway = await openGateway()
      const prompt = `a doomed boat ${randomUUID()}`
      const error = await rejectionOf(generateImage({ prompt }, { url: gateway.url }))
      expect(error.code).toBe('JOB_FAILED')
      expect(error.job?.status).toBe('failed')
      expect(error.message).toContain(upstreamJobFor(harness.emulator, prompt).result)
    })

    it('rejects with JOB_TIMEOUT when the upstream never starts the job before the deadline', async () => {
      resetEmulator(harness.emulator, { stuckWaiting: true })
      const gateway = await openGateway({ AKASHGEN_JOB_TIMEOUT_MS: '1000' })
      const error = await rejectionOf(generateImage({ prompt: 'stuck' }, { url: gateway.url }))
      expect(error.code).toBe('JOB_TIMEOUT')
      expect(error.job?.status).toBe('timed_out')
    })

    it('rejects bad input with INVALID_REQUEST naming the field, without reaching the upstream', async () => {
      const gateway = await openGateway()
      const error = await rejectionOf(
        generateImage({ prompt: 'a cat', sampler: 'warp_drive' }, { url: gateway.url }),
      )
      expect(error.code).toBe('INVALID_REQUEST')
      expect(error.retryable).toBe(false)
      expect(error.details).toMatchObject({
        fieldErrors: { sampler: [expect.stringContaining('warp_drive')] },
      })
      expect(harness.emulator.counters.submissions).toBe(0)
    })
  })

  describe('when the caller aborts', () => {
    it('cancels the running job on the gateway and rejects with CANCELLED', async () => {
      resetEmulator(harness.emulator, { runMs: 5000 })
      const gateway = await openGateway()
      const controller = new AbortController()
      let jobId = ''
      const error = await rejectionOf(
        generateImage(
          { prompt: 'a long render' },
          {
            url: gateway.url,
            signal: controller.signal,
            onStatus: (job) => {
              jobId = job.jobId
              if (job.status === 'running') controller.abort()
            },
          },
        ),
      )
      expect(error.code).toBe('CANCELLED')
      expect(jobId).not.toBe('')

      const client = createAkashGenClient({ url: gateway.url })
      const job = await client.jobStatus.query({ jobId })
      expect(job).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } })
      const [before, after] = await statusRequestsOverAPause()
      expect(before).toBeGreaterThan(0)
      expect(after).toBe(before)
      expect((await client.health.query()).slots?.inUse).toBe(0)
    })

    it('rejects at once when aborted from onStatus, without waiting for the next event', async () => {
      resetEmulator(harness.emulator, { runMs: 5000 })
      const gateway = await openGateway()
      const controller = new AbortController()
      let jobId = ''
      const options: GenerateImageOptions = {
        url: gateway.url,
        signal: controller.signal,
        onStatus: (job) => {
          jobId = job.jobId
          controller.abort()
        },
      }
      const error = await rejectionOf(generateImage({ prompt: 'changed my mind' }, options))
      expect(error.code).toBe('CANCELLED')
      const client = createAkashGenClient({ url: gateway.url })
      expect((await client.jobStatus.query({ jobId })).status).toBe('cancelled')
    })

    it('rejects an already-aborted signal without submitting anything', async () => {
      const gateway = await openGateway()
      const error = await rejectionOf(
        generateImage({ prompt: 'never sent' }, { url: gateway.url, signal: AbortSignal.abort() }),
      )
      expect(error.code).toBe('CANCELLED')
      expect(harness.emulator.counters.submissions).toBe(0)
      const health = await createAkashGenClient({ url: gateway.url }).health.query()
      expect(health.jobs?.retained).toBe(0)
    })
  })
})
