/** POST /api/generate when the input is bad or the upstream misbehaves: documented codes, nothing leaked. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAkashGenClient } from '@akashgen/client'
import { GenerateInput } from '@akashgen/contract'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { invalidRequest } from '../../server/errors.ts'
import { resetEmulator } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { injectedFetch } from '../support/inject.ts'
import { finalStatus } from '../support/outcomes.ts'

const harness = useGatewayHarness()
let gateway: TestGateway
beforeEach(async () => {
  gateway = await harness.openGateway({
    AKASHGEN_JOB_TIMEOUT_MS: '1500',
    AKASHGEN_MAX_IMAGE_BYTES: String(1024 * 1024),
  })
})

const post = (
  body: string | object,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) =>
  fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

const health = async (url = gateway.url) =>
  (await (await fetch(`${url}/health`)).json()) as {
    slots: { inUse: number }
    queue: { length: number }
  }

/** POST /api/generate through app.inject(): for answers given before any job exists, which need no socket. */
const refused = (
  body: string | object,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) =>
  injectedFetch(gateway.app)('/api/generate', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('bad input is refused at the edge and never reaches the upstream', () => {
  it.each([
    ['a missing prompt', { sampler: 'euler' }, 400, 'INVALID_REQUEST', 'prompt'],
    ['a blank prompt', { prompt: '   ' }, 400, 'INVALID_REQUEST', 'prompt must not be empty'],
    ['a prompt over 2000 characters', { prompt: 'x'.repeat(2001) }, 400, 'INVALID_REQUEST', 'at most 2000'],
    ['a non-string prompt', { prompt: 42 }, 400, 'INVALID_REQUEST', 'prompt'],
    ['an unknown sampler', { prompt: 'a', sampler: 'warp_drive' }, 400, 'INVALID_REQUEST', 'dpmpp_2m'],
    ['an unknown scheduler', { prompt: 'a', scheduler: 'lunar' }, 400, 'INVALID_REQUEST', 'sgm_uniform'],
    ['a JSON array', [], 400, 'INVALID_REQUEST', 'JSON object'],
    ['malformed JSON', '{"prompt": "a",', 400, 'INVALID_REQUEST', 'not valid JSON'],
    ['an empty body', '', 400, 'INVALID_REQUEST', 'empty'],
  ])('%s gets %i %s', async (_name, body, status, code, mentions) => {
    const response = await refused(body)
    expect(response.status).toBe(status)
    const error = (await response.json()) as { error: string; code: string; details?: unknown }
    expect(error.code).toBe(code)
    expect(`${error.error} ${JSON.stringify(error.details ?? '')}`).toContain(mentions)
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it.each([
    ['no prompt', {}],
    ['null', null],
    ['a string', 'prompt'],
    ['unknown fields and bad values', { prompt: 5, sampler: 'warp', extra: 1, width: 3 }],
    ['a bad negative and scheduler', { prompt: 'a', negative: 7, scheduler: 'x' }],
  ])("refuses %s with exactly the contract check's message and details", async (_name, body) => {
    const response = await post(JSON.stringify(body))
    const parsed = GenerateInput.safeParse(body)
    if (parsed.success) throw new Error('the body should fail the contract')
    const { requestId: _id, ...expected } = invalidRequest(parsed.error).toBody('x')
    const { requestId, ...refused } = (await response.json()) as { requestId: string }
    expect(response.status).toBe(400)
    expect(requestId).toBe(response.headers.get('x-request-id'))
    expect(refused).toStrictEqual(expected)
  })

  it('names every bad field at once, with the allowed values', async () => {
    const response = await refused({ prompt: '', sampler: 'nope', scheduler: 'nah' })
    const error = (await response.json()) as { details: { fieldErrors: Record<string, string[]> } }
    expect(Object.keys(error.details.fieldErrors).sort()).toEqual(['prompt', 'sampler', 'scheduler'])
    expect(error.details.fieldErrors.sampler?.[0]).toContain('DPM++ 2M Karras')
    expect(error.details.fieldErrors.scheduler?.[0]).toContain('karras')
  })

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('a %s body gets 415 UNSUPPORTED_MEDIA_TYPE', async (_name, headers) => {
    const response = await refused('prompt=a', headers)
    expect(response.status).toBe(415)
    expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' })
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it('an oversized body gets 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await refused({ prompt: 'x'.repeat(100_000) })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    expect(harness.emulator.counters.submissions).toBe(0)
  })
})

describe('upstream trouble becomes a documented error', () => {
  it('a failed upstream job gives 502 JOB_FAILED with the upstream reason', async () => {
    resetEmulator(harness.emulator, { failRate: 1 })
    const response = await post({ prompt: 'doomed' })
    expect(response.status).toBe(502)
    const error = (await response.json()) as { code: string; error: string; retryable: boolean }
    expect(error.code).toBe('JOB_FAILED')
    expect(error.error).toMatch(/upstream job failed: \S+/)
  })

  it.each([500, 503, 429])('HTTP %i on submit gives 502 UPSTREAM_ERROR', async (status) => {
    resetEmulator(harness.emulator, { faults: { submit: { status } } })
    const response = await post({ prompt: 'submit fails' })
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({
      code: 'UPSTREAM_ERROR',
      details: { status, operation: 'submit' },
    })
  })

  it('malformed JSON from submit gives 502 UPSTREAM_ERROR', async () => {
    resetEmulator(harness.emulator, { faults: { submit: { malformed: true } } })
    const response = await post({ prompt: 'garbled' })
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({ code: 'UPSTREAM_ERROR' })
  })

  it('a job that never finishes gives 504 JOB_TIMEOUT at the job deadline, not earlier', async () => {
    resetEmulator(harness.emulator, { stuckWaiting: true })
    const started = Date.now()
    const response = await post({ prompt: 'stuck forever' })
    const elapsed = Date.now() - started
    expect(response.status).toBe(504)
    expect(await response.json()).toMatchObject({ code: 'JOB_TIMEOUT', details: { timeoutMs: 1500 } })
    expect(elapsed).toBeGreaterThanOrEqual(1400)
    expect(harness.emulator.counters.statusRequests).toBeGreaterThanOrEqual(2)
  })

  it('a job the upstream forgets gives 502 UPSTREAM_ERROR after a few retries', async () => {
    resetEmulator(harness.emulator, { unknownForFirstPolls: 1000 })
    const response = await post({ prompt: 'forgotten' })
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({ code: 'UPSTREAM_ERROR', details: { reason: 'NOT_FOUND' } })
  })

  it('HTML instead of an image gives 502 UPSTREAM_ERROR', async () => {
    resetEmulator(harness.emulator, { nonImage: true })
    const response = await post({ prompt: 'html please' })
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({ code: 'UPSTREAM_ERROR' })
  })

  it('an image over the size cap gives 502 UPSTREAM_ERROR naming the limit', async () => {
    resetEmulator(harness.emulator, { oversizedImageBytes: 3 * 1024 * 1024 })
    const response = await post({ prompt: 'enormous' })
    expect(response.status).toBe(502)
    const error = (await response.json()) as { code: string; error: string }
    expect(error.code).toBe('UPSTREAM_ERROR')
    expect(error.error).toContain(String(1024 * 1024))
  })

  describe('an off-origin result', () => {
    let bystander: Server
    let hits = 0
    beforeAll(async () => {
      bystander = createServer((_req, res) => {
        hits++
        res.end('pwned')
      })
      await new Promise<void>((resolve) => bystander.listen(0, '127.0.0.1', resolve))
    })
    afterAll(() => new Promise<void>((resolve) => bystander.close(() => resolve())))

    it.each([
      (port: number) => `http://127.0.0.1:${port}/x.webp`,
      (port: number) => `//127.0.0.1:${port}/x.webp`,
      (port: number) => `/\\127.0.0.1:${port}/x.webp`,
      () => 'file:///etc/passwd',
      () => '.evil.example/x',
    ])('gives 502 UPSTREAM_ERROR and never contacts the other host (%#)', async (reference) => {
      const port = (bystander.address() as AddressInfo).port
      resetEmulator(harness.emulator, { offOriginResult: reference(port) })
      const response = await post({ prompt: 'steer me elsewhere' })
      expect(response.status).toBe(502)
      expect(await response.json()).toMatchObject({ code: 'UPSTREAM_ERROR' })
      expect(hits).toBe(0)
    })

    it('ends the job failed with UPSTREAM_ERROR: it never reports success with an image it cannot serve', async () => {
      const port = (bystander.address() as AddressInfo).port
      resetEmulator(harness.emulator, { offOriginResult: `http://127.0.0.1:${port}/x.webp` })
      const client = createAkashGenClient({ url: gateway.url })
      const { jobId } = await client.generate.mutate({ prompt: 'succeed elsewhere' })
      expect(await finalStatus(client, jobId)).toBe('failed')
      expect((await client.jobStatus.query({ jobId })).error?.code).toBe('UPSTREAM_ERROR')
      expect(hits).toBe(0)
    })
  })
})

describe('admission', () => {
  it('a full queue gives 429 QUEUE_FULL with Retry-After, and every slot comes back', async () => {
    const small = await harness.openGateway({
      AKASHGEN_MAX_CONCURRENT: '1',
      AKASHGEN_MAX_QUEUE: '1',
      // One client fills the queue: no per-client share here.
      AKASHGEN_MAX_JOBS_PER_CLIENT: '0',
    })
    // Long enough that the first job still holds the slot when the third request arrives.
    resetEmulator(harness.emulator, { runMs: 1000 })
    const send = (prompt: string) =>
      fetch(`${small.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
      })
    const first = send('first in line')
    const second = send('second in line')
    // The line is full once one job holds the slot and the other waits: then the third is refused.
    await expect
      .poll(async () => health(small.url))
      .toMatchObject({ slots: { inUse: 1 }, queue: { length: 1 } })
    const third = await send('one too many')
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await third.json()).toMatchObject({ code: 'QUEUE_FULL', retryable: true })
    expect((await first).status).toBe(200)
    expect((await second).status).toBe(200)
    expect(harness.emulator.counters.submittedPrompts).toEqual(['first in line', 'second in line'])
    const after = await health(small.url)
    expect(after.slots.inUse).toBe(0)
    expect(after.queue.length).toBe(0)
  })

  it('slots are free again after failures and timeouts', async () => {
    resetEmulator(harness.emulator, { failRate: 1 })
    await post({ prompt: 'fail one' })
    resetEmulator(harness.emulator, { faults: { submit: { status: 500 } } })
    await post({ prompt: 'fail two' })
    const report = await health()
    expect(report.slots.inUse).toBe(0)
    expect(report.queue.length).toBe(0)
  })
})

describe('a caller who hangs up', () => {
  it('stops its job: polling ends, the slot comes back and the job is cancelled', async () => {
    resetEmulator(harness.emulator, { runMs: 10_000 })
    const controller = new AbortController()
    const call = fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'I will hang up' }),
      signal: controller.signal,
    }).catch(() => 'aborted')
    // The job is being polled, so there is something for the hang-up to stop.
    await vi.waitFor(() => expect(harness.emulator.counters.statusRequests).toBeGreaterThan(2), {
      timeout: 8000,
    })
    expect((await health()).slots.inUse).toBe(1)
    controller.abort()
    expect(await call).toBe('aborted')
    // The cancel has landed once the slot is back; from then on no status request may go out.
    await expect.poll(async () => (await health()).slots.inUse).toBe(0)
    const before = harness.emulator.counters.statusRequests
    // A quiet window, not an ordering: "polling ends" can only be seen as nothing more arriving.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(harness.emulator.counters.statusRequests).toBe(before)
    expect((await health()).slots.inUse).toBe(0)
    const finished = gateway.logs.filter((line) => line.msg === 'job finished').at(-1)
    expect(finished).toMatchObject({ status: 'cancelled', code: 'CANCELLED' })
  })
})
