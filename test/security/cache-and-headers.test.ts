// Cache-Control: no-store on API answers; one Idempotency-Key only; OPTIONS guarded as docs/security.md says.
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { nodeRequest } from '../support/raw-http.ts'

const harness = useGatewayHarness()

const KEY = 'cache-key-0123456789abcdef'
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' }

describe('Cache-Control', () => {
  it('is no-store on job views, generate answers, events, tRPC, /v1 and errors; images keep theirs', async () => {
    const gateway = await harness.openGateway()
    const generated = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ prompt: 'a lighthouse' }),
    })
    expect(generated.headers.get('cache-control')).toBe('no-store')
    const { jobId } = (await generated.json()) as { jobId: string }
    const answers = await Promise.all([
      fetch(`${gateway.url}/api/jobs/${jobId}`),
      fetch(`${gateway.url}/api/jobs/not-a-job`),
      fetch(`${gateway.url}/trpc/health?input={}`),
      fetch(`${gateway.url}/trpc/jobStatus?input=${encodeURIComponent(JSON.stringify({ json: { jobId } }))}`),
      fetch(`${gateway.url}/v1/models`),
    ])
    expect(answers.map((r) => r.status)).toEqual([200, 400, 200, 200, 200])
    for (const answer of answers) expect(answer.headers.get('cache-control')).toBe('no-store')
    const events = await fetch(`${gateway.url}/api/jobs/${jobId}/events`)
    expect(events.headers.get('cache-control')).toBe('no-store, no-transform')
    await events.body?.cancel()
    const input = encodeURIComponent(JSON.stringify({ json: { jobId } }))
    const subscription = await fetch(`${gateway.url}/trpc/jobEvents?input=${input}`)
    expect(subscription.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(subscription.headers.get('cache-control')).toBe('no-store, no-transform')
    await subscription.body?.cancel()
    const image = await fetch(`${gateway.url}/api/jobs/${jobId}/image`)
    expect(image.headers.get('cache-control')).toBe('private, max-age=3600, immutable')
  })
})

describe('Idempotency-Key', () => {
  it.each([
    ['/api/generate', { prompt: 'twice keyed' }],
    ['/v1/images/generations', { prompt: 'twice keyed' }],
    ['/trpc/generate', { json: { prompt: 'twice keyed' } }],
  ])('sent twice to %s is refused with 400 INVALID_REQUEST naming the header', async (path, body) => {
    const gateway = await harness.openGateway()
    const upstreamJobs = harness.emulator.jobs().length
    const response = await nodeRequest(
      `${gateway.url}${path}`,
      { method: 'POST', headers: { ...JSON_HEADERS, 'idempotency-key': ['first-key', 'second-key'] } },
      JSON.stringify(body),
    )
    expect(response.status).toBe(400)
    expect(response.body).toContain('Idempotency-Key')
    expect(response.body).toMatch(/INVALID_REQUEST|invalid_request/)
    expect(harness.emulator.jobs()).toHaveLength(upstreamJobs)
  })
})

describe('OPTIONS', () => {
  it('needs a key like any method when CORS is off', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_API_KEYS: KEY })
    for (const path of ['/api/jobs/x', '/trpc/health', '/v1/models']) {
      const response = await fetch(`${gateway.url}${path}`, { method: 'OPTIONS' })
      expect(response.status).toBe(401)
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
    }
  })

  it('a CORS preflight is answered without a key when CORS is on', async () => {
    const gateway = await harness.openGateway({
      AKASHGEN_API_KEYS: KEY,
      AKASHGEN_CORS_ORIGINS: 'https://app.example.com',
    })
    const response = await fetch(`${gateway.url}/api/generate`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
  })
})
