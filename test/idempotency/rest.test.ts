/** Idempotency-Key on `POST /api/generate` (memory backend): one key and one request, one upstream job. */
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

const generate = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

const key = () => `key-${crypto.randomUUID()}`

describe('POST /api/generate with an Idempotency-Key', () => {
  it('answers a repeat with the same job and the same image, submitting upstream once', async () => {
    const gateway = await harness.openGateway()
    const headers = { 'idempotency-key': key() }
    const first = await generate(gateway.url, { prompt: 'a fox, once' }, headers)
    expect(first.status).toBe(200)
    const firstBytes = Buffer.from(await first.arrayBuffer())
    const again = await generate(gateway.url, { prompt: 'a fox, once' }, headers)
    expect(again.status).toBe(200)
    expect(again.headers.get('x-job-id')).toBe(first.headers.get('x-job-id'))
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    expect(Buffer.from(await again.arrayBuffer()).equals(firstBytes)).toBe(true)
    expect(harness.emulator.counters.submittedPrompts).toEqual(['a fox, once'])
  })

  it('gives racing requests with one key one job, none refused', async () => {
    const gateway = await harness.openGateway()
    const headers = { 'idempotency-key': key() }
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => generate(gateway.url, { prompt: 'a race' }, headers)),
    )
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200))
    expect(new Set(answers.map((a) => a.headers.get('x-job-id'))).size).toBe(1)
    expect(harness.emulator.counters.submittedPrompts).toEqual(['a race'])
  })

  it('compares the parsed request: field order and an AUTOMATIC1111 alias are the same request', async () => {
    const gateway = await harness.openGateway()
    const headers = { 'idempotency-key': key() }
    const first = await generate(
      gateway.url,
      { prompt: 'same', sampler: 'dpmpp_2m', scheduler: 'karras' },
      headers,
    )
    const again = await generate(gateway.url, { sampler: 'DPM++ 2M Karras', prompt: '  same ' }, headers)
    expect(again.headers.get('x-job-id')).toBe(first.headers.get('x-job-id'))
    expect(harness.emulator.counters.submissions).toBe(1)
  })

  it('refuses the same key with another body: 409 IDEMPOTENCY_CONFLICT, nothing submitted', async () => {
    const gateway = await harness.openGateway()
    const headers = { 'idempotency-key': key() }
    expect((await generate(gateway.url, { prompt: 'one' }, headers)).status).toBe(200)
    const other = await generate(gateway.url, { prompt: 'two' }, headers)
    expect(other.status).toBe(409)
    expect(await other.json()).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', retryable: false })
    expect(harness.emulator.counters.submittedPrompts).toEqual(['one'])
  })

  it("replays a failed job's error without submitting it again", async () => {
    const gateway = await harness.openGateway()
    harness.emulator.configure({ failRate: 1 })
    const headers = { 'idempotency-key': key() }
    const first = await generate(gateway.url, { prompt: 'doomed' }, headers)
    expect(first.status).toBe(502)
    const again = await generate(gateway.url, { prompt: 'doomed' }, headers)
    expect(again.status).toBe(502)
    expect(await again.json()).toMatchObject({ code: 'JOB_FAILED' })
    expect(again.headers.get('x-job-id')).toBe(first.headers.get('x-job-id'))
    expect(harness.emulator.counters.submissions).toBe(1)
  })

  it('frees the key when the submission is refused (429 QUEUE_FULL), so a retry submits', async () => {
    const gateway = await harness.openGateway({
      AKASHGEN_MAX_CONCURRENT: '1',
      AKASHGEN_MAX_QUEUE: '0',
      AKASHGEN_MAX_JOBS_PER_CLIENT: '0',
    })
    harness.emulator.configure({ runMs: 400 })
    const busy = generate(gateway.url, { prompt: 'takes the slot' })
    const slotsInUse = async () =>
      ((await (await fetch(`${gateway.url}/health`)).json()) as { slots: { inUse: number } }).slots.inUse
    await expect.poll(slotsInUse).toBe(1)
    const headers = { 'idempotency-key': key() }
    const refused = await generate(gateway.url, { prompt: 'later' }, headers)
    expect(refused.status).toBe(429)
    expect((await busy).status).toBe(200)
    const retried = await generate(gateway.url, { prompt: 'later' }, headers)
    expect(retried.status).toBe(200)
    expect(harness.emulator.counters.submittedPrompts).toEqual(['takes the slot', 'later'])
  })

  it("answers 404 NOT_FOUND once the key's job is past retention, and submits nothing", async () => {
    const gateway = await harness.openGateway({ AKASHGEN_RETENTION_MS: '200' })
    const headers = { 'idempotency-key': key() }
    const first = await generate(gateway.url, { prompt: 'short-lived' }, headers)
    expect(first.status).toBe(200)
    // Past retention once the gateway has forgotten the job itself.
    const job = `${gateway.url}/api/jobs/${first.headers.get('x-job-id')}`
    await expect.poll(async () => (await fetch(job)).status, { timeout: 5000 }).toBe(404)
    const late = await generate(gateway.url, { prompt: 'short-lived' }, headers)
    expect(late.status).toBe(404)
    const body = (await late.json()) as { code: string; error: string }
    expect(body.code).toBe('NOT_FOUND')
    expect(body.error).toContain('expired')
    expect(harness.emulator.counters.submissions).toBe(1)
  })

  it.each([
    ['too long', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
  ])('refuses a key that is %s: 400 INVALID_REQUEST naming the header', async (_why, value) => {
    const gateway = await harness.openGateway()
    const answer = await generate(gateway.url, { prompt: 'x' }, { 'idempotency-key': value })
    expect(answer.status).toBe(400)
    const body = (await answer.json()) as { code: string; error: string }
    expect(body.code).toBe('INVALID_REQUEST')
    expect(body.error).toContain('Idempotency-Key')
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it('takes a 255-character key and works with Prefer: respond-async', async () => {
    const gateway = await harness.openGateway()
    const headers = { 'idempotency-key': 'k'.repeat(255), prefer: 'respond-async' }
    const first = await generate(gateway.url, { prompt: 'async' }, headers)
    expect(first.status).toBe(202)
    const again = await generate(gateway.url, { prompt: 'async' }, { 'idempotency-key': 'k'.repeat(255) })
    expect(again.status).toBe(200)
    expect(again.headers.get('x-job-id')).toBe(first.headers.get('x-job-id'))
    expect(harness.emulator.counters.submissions).toBe(1)
  })
})
