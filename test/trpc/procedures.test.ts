// The tRPC procedures as a TypeScript app sees them: the real client package over HTTP against the emulator.
import { randomUUID } from 'node:crypto'
import {
  type AkashGenClient,
  type AppRouter,
  createAkashGenClient,
  type GenerateInput,
  isFinalStatus,
  type Job,
} from '@akashgen/client'
import { TRPCClientError } from '@trpc/client'
import { describe, expect, it } from 'vitest'
import { VERSION } from '../../server/version.ts'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

/** A gateway in front of this file's emulator, closed after the test; its typed client. */
async function openGateway(
  env: Record<string, string> = {},
): Promise<{ gateway: TestGateway; client: AkashGenClient }> {
  const gateway = await harness.openGateway(env)
  return { gateway, client: createAkashGenClient({ url: gateway.url }) }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `jobStatus` until `done` holds for the view or the job is final, and answers that view. */
async function pollJob(client: AkashGenClient, jobId: string, done: (job: Job) => boolean): Promise<Job> {
  for (;;) {
    const job = await client.jobStatus.query({ jobId })
    if (done(job) || isFinalStatus(job.status)) return job
    await pause(10)
  }
}

const final = (job: Job) => isFinalStatus(job.status)

/** The TRPCClientError a call rejected with (fails the test if it resolved or threw something else). */
async function trpcErrorOf(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const error = await call.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(TRPCClientError)
  return error as TRPCClientError<AppRouter>
}

describe('generate and jobStatus', () => {
  it('accepts a job at once and later reports it succeeded, with worker, times and an image URL', async () => {
    resetEmulator(harness.emulator, { runMs: 300 })
    const { gateway, client } = await openGateway()
    const prompt = `a lighthouse at dusk ${randomUUID()}`

    const accepted = await client.generate.mutate({ prompt })
    expect(harness.emulator.counters.completed).toBe(0)
    expect(accepted.jobId).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
    expect(['queued', 'running']).toContain(accepted.status)
    expect(accepted.queuePosition).toBeGreaterThanOrEqual(0)

    const job = await pollJob(client, accepted.jobId, final)
    expect(job).toMatchObject({ jobId: accepted.jobId, status: 'succeeded', queuePosition: 0 })
    expect(job.error).toBeUndefined()
    expect(job.worker?.name).toMatch(/^akash-worker-\d+$/)
    expect(job.worker?.city).not.toBe('')
    expect(job.worker?.country).toMatch(/^[A-Z]{2}$/)
    expect(job.worker?.gpu).not.toBe('')
    expect(job.elapsedMs).toBeGreaterThan(0)
    expect(new Date(job.createdAt).toISOString()).toBe(job.createdAt)
    expect(new Date(job.finishedAt ?? '').toISOString()).toBe(job.finishedAt)
    expect(Date.parse(job.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(job.createdAt))

    const imageUrl = new URL(job.imageUrl ?? '')
    expect(imageUrl.origin).toBe(gateway.url)
    const response = await fetch(imageUrl)
    expect(response.status).toBe(200)
    const expected = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, prompt))
    expect(response.headers.get('content-type')).toBe(expected.type)
    expect(Buffer.from(await response.arrayBuffer()).equals(expected.bytes)).toBe(true)
  })

  it('sends preferredGpu upstream as given, and jobStatus shows a worker with one of those GPUs', async () => {
    const { client } = await openGateway()
    const prompt = `a GPU test ${randomUUID()}`
    const { jobId } = await client.generate.mutate({ prompt, preferredGpu: ['V100-32Gi', 'A10'] })
    const job = await pollJob(client, jobId, final)
    expect(job.status).toBe('succeeded')
    expect(['V100-32Gi', 'A10']).toContain(job.worker?.gpu)
    expect(upstreamJobFor(harness.emulator, prompt).preferredGpu).toEqual(['V100-32Gi', 'A10'])
  })

  it('sends an AUTOMATIC1111 sampler alias upstream as the ComfyUI sampler and its scheduler', async () => {
    const { client } = await openGateway()
    const prompt = `an alias test ${randomUUID()}`
    const { jobId } = await client.generate.mutate({ prompt, sampler: 'DPM++ 2M Karras' })
    expect((await pollJob(client, jobId, final)).status).toBe('succeeded')
    expect(upstreamJobFor(harness.emulator, prompt)).toMatchObject({
      sampler: 'dpmpp_2m',
      scheduler: 'karras',
    })
  })
})

describe('invalid input', () => {
  const cases: { name: string; input: GenerateInput; field: keyof GenerateInput; message: RegExp }[] = [
    { name: 'a blank prompt', input: { prompt: '   ' }, field: 'prompt', message: /must not be empty/ },
    {
      name: 'an unknown sampler',
      input: { prompt: 'a cat', sampler: 'warp_drive' },
      field: 'sampler',
      message: /unknown sampler "warp_drive"/,
    },
    {
      name: 'an unknown scheduler',
      input: { prompt: 'a cat', scheduler: 'sometimes' },
      field: 'scheduler',
      message: /unknown scheduler "sometimes"/,
    },
    {
      name: 'an unknown GPU',
      input: { prompt: 'a cat', preferredGpu: ['A100', 'GTX1080'] },
      field: 'preferredGpu',
      message: /unknown GPU "GTX1080": each must be one of RTX4090, A10, A100, V100-32Gi, H100/,
    },
    {
      name: 'an empty GPU list',
      input: { prompt: 'a cat', preferredGpu: [] },
      field: 'preferredGpu',
      message: /must name at least one GPU/,
    },
    {
      name: 'a prompt of 2001 characters',
      input: { prompt: 'x'.repeat(2001) },
      field: 'prompt',
      message: /at most 2000 characters/,
    },
  ]

  it.each(cases)('refuses $name as BAD_REQUEST naming the field, without calling the upstream', async (c) => {
    const { client } = await openGateway()
    const error = await trpcErrorOf(client.generate.mutate(c.input))
    expect(error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, errorCode: 'INVALID_REQUEST' })
    expect(error.data?.retryable).toBe(false)
    const fieldErrors = error.data?.fieldErrors?.fieldErrors as Record<string, string[]> | undefined
    expect(Object.keys(fieldErrors ?? {})).toEqual([c.field])
    expect(fieldErrors?.[c.field]?.join(' ')).toMatch(c.message)
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it('answers NOT_FOUND for a well-formed job id the gateway never issued', async () => {
    const { client } = await openGateway()
    const jobId = randomUUID()
    const error = await trpcErrorOf(client.jobStatus.query({ jobId }))
    expect(error.data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, errorCode: 'NOT_FOUND' })
    expect(error.message).toContain(jobId)
  })

  it('answers BAD_REQUEST for a malformed job id', async () => {
    const { client } = await openGateway()
    const error = await trpcErrorOf(client.jobStatus.query({ jobId: '../etc' }))
    expect(error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, errorCode: 'INVALID_REQUEST' })
    expect(Object.keys(error.data?.fieldErrors?.fieldErrors ?? {})).toEqual(['jobId'])
  })
})

describe('a job the upstream fails', () => {
  it('reports status failed with JOB_FAILED and the upstream reason', async () => {
    resetEmulator(harness.emulator, { failRate: 1 })
    const { client } = await openGateway()
    const prompt = `a doomed job ${randomUUID()}`
    const { jobId } = await client.generate.mutate({ prompt })
    const job = await pollJob(client, jobId, final)
    const reason = upstreamJobFor(harness.emulator, prompt).result
    expect(reason).not.toBe('')
    expect(job.status).toBe('failed')
    expect(job.error?.code).toBe('JOB_FAILED')
    expect(job.error?.message).toContain(reason)
    expect(job.imageUrl).toBeUndefined()
  })
})

describe('admission', () => {
  it('queues one job behind the only slot and refuses a third with QUEUE_FULL', async () => {
    resetEmulator(harness.emulator, { runMs: 400 })
    // One client fills the queue: no per-client share here, that is test/security/fair-shares.test.ts.
    const { client } = await openGateway({
      AKASHGEN_MAX_CONCURRENT: '1',
      AKASHGEN_MAX_QUEUE: '1',
      AKASHGEN_MAX_JOBS_PER_CLIENT: '0',
    })

    const first = await client.generate.mutate({ prompt: 'first in line' })
    const second = await client.generate.mutate({ prompt: 'second in line' })
    expect(second).toMatchObject({ status: 'queued', queuePosition: 1 })
    const waiting = await client.jobStatus.query({ jobId: second.jobId })
    expect(waiting).toMatchObject({ status: 'queued', queuePosition: 1 })
    expect((await client.jobStatus.query({ jobId: first.jobId })).status).not.toBe('succeeded')

    const error = await trpcErrorOf(client.generate.mutate({ prompt: 'one too many' }))
    expect(error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, errorCode: 'QUEUE_FULL' })
    expect(error.data?.retryable).toBe(true)
    expect(harness.emulator.counters.submittedPrompts).not.toContain('one too many')

    const busy = await client.health.query()
    expect(busy.slots).toEqual({ inUse: 1, max: 1 })
    expect(busy.queue).toEqual({ length: 1, max: 1 })

    expect((await pollJob(client, first.jobId, final)).status).toBe('succeeded')
    expect((await pollJob(client, second.jobId, final)).status).toBe('succeeded')
    const idle = await client.health.query()
    expect(idle.slots?.inUse).toBe(0)
    expect(idle.queue?.length).toBe(0)
    expect(harness.emulator.counters.submittedPrompts).toEqual(['first in line', 'second in line'])
  })
})

describe('cancel', () => {
  it('stops a running job: status cancelled, no more upstream polling, slot given back', async () => {
    resetEmulator(harness.emulator, { runMs: 5000 })
    const { client } = await openGateway()
    const { jobId } = await client.generate.mutate({ prompt: 'a long render' })
    expect((await pollJob(client, jobId, (job) => job.status === 'running')).status).toBe('running')

    const cancelled = await client.cancel.mutate({ jobId })
    expect(cancelled).toMatchObject({ jobId, status: 'cancelled', error: { code: 'CANCELLED' } })
    expect((await client.jobStatus.query({ jobId })).status).toBe('cancelled')

    // A status request already on the wire when the job was cancelled may still land: let it settle first.
    await pause(50)
    const before = harness.emulator.counters.statusRequests
    expect(before).toBeGreaterThan(0)
    await pause(200)
    expect(harness.emulator.counters.statusRequests).toBe(before)
    expect((await client.health.query()).slots?.inUse).toBe(0)
  })

  it('leaves a finished job as it was', async () => {
    const { client } = await openGateway()
    const { jobId } = await client.generate.mutate({ prompt: 'already done' })
    await pollJob(client, jobId, final)
    expect((await client.cancel.mutate({ jobId })).status).toBe('succeeded')
    expect((await client.jobStatus.query({ jobId })).status).toBe('succeeded')
  })
})

describe('health', () => {
  it('reports status, version, upstream, slots and queue from the configuration', async () => {
    const { client } = await openGateway({ AKASHGEN_MAX_CONCURRENT: '3', AKASHGEN_MAX_QUEUE: '7' })
    const health = await client.health.query()
    expect(health).toMatchObject({
      status: 'ok',
      version: VERSION,
      upstream: harness.emulator.url,
      slots: { inUse: 0, max: 3 },
      queue: { length: 0, max: 7 },
    })
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/)
  })
})

describe('batching', () => {
  it('answers two queries made in the same tick from one HTTP request', async () => {
    const { gateway } = await openGateway()
    const requests: string[] = []
    const client = createAkashGenClient({
      url: gateway.url,
      fetch: (input, init) => {
        requests.push(String(input instanceof Request ? input.url : input))
        return fetch(input, init)
      },
    })
    const { jobId } = await client.generate.mutate({ prompt: 'batched' })
    requests.length = 0

    const [job, health] = await Promise.all([client.jobStatus.query({ jobId }), client.health.query()])
    expect(job.jobId).toBe(jobId)
    expect(health.status).toBe('ok')
    expect(requests).toHaveLength(1)
    const url = new URL(requests[0] ?? '')
    expect(url.pathname).toBe('/trpc/jobStatus,health')
    expect(url.searchParams.get('batch')).toBe('1')
    await pollJob(client, jobId, final)
  })
})
