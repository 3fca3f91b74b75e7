// Rate limits: per key (per IP when open), tRPC batches counted per call, the headers, and Redis-shared counters.

import { createAkashGenClient } from '@akashgen/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

const harness = useGatewayHarness()

const KEY_A = 'rate-key-a-0123456789abcdef'
const KEY_B = 'rate-key-b-0123456789abcdef'
const LIMIT = { AKASHGEN_RATE_LIMIT: '3', AKASHGEN_RATE_LIMIT_WINDOW_MS: '600000' }

const job = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/api/jobs/x`, { headers })

async function expectLimited(response: Response): Promise<void> {
  expect(response.status).toBe(429)
  const retryAfter = Number(response.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThan(0)
  expect(retryAfter).toBeLessThanOrEqual(600)
  expect(response.headers.get('ratelimit-policy')).toBe('"default";q=3;w=600')
  expect(response.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/)
  expect(response.headers.get('ratelimit-remaining')).toBe('0')
  expect(await response.json()).toMatchObject({ code: 'RATE_LIMITED', retryable: true })
}

describe('rate limits', () => {
  it('refuses the N+1th request of the window with 429 RATE_LIMITED, Retry-After and RateLimit headers', async () => {
    const gateway = await harness.openGateway(LIMIT)
    const remaining: (string | null)[] = []
    for (let i = 0; i < 3; i++) {
      const response = await job(gateway.url)
      expect(response.status).toBe(400)
      remaining.push(response.headers.get('ratelimit-remaining'))
    }
    expect(remaining).toEqual(['2', '1', '0'])
    await expectLimited(await job(gateway.url))
    // Operations routes are never counted.
    for (let i = 0; i < 5; i++) expect((await fetch(`${gateway.url}/health`)).status).toBe(200)
  })

  it('counts each call of a tRPC batch, and a subscription once', async () => {
    const gateway = await harness.openGateway(LIMIT)
    const batch = await fetch(`${gateway.url}/trpc/health,health,health?batch=1&input={}`)
    expect(batch.status).toBe(200)
    expect(batch.headers.get('ratelimit-remaining')).toBe('0')
    const refused = await fetch(`${gateway.url}/trpc/health?input={}`)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    const body = (await refused.json()) as { error: { json: { data: { errorCode: string } } } }
    expect(body.error.json.data.errorCode).toBe('RATE_LIMITED')
    const client = createAkashGenClient({ url: gateway.url })
    await expect(client.health.query()).rejects.toMatchObject({ data: { errorCode: 'RATE_LIMITED' } })
  })

  it('a batch bigger than what is left is refused whole', async () => {
    const gateway = await harness.openGateway(LIMIT)
    expect((await job(gateway.url)).status).toBe(400)
    const batch = await fetch(`${gateway.url}/trpc/health,health,health?batch=1&input={}`)
    expect(batch.status).toBe(429)
  })

  it('counts per key: key A spent, key B still fine', async () => {
    const gateway = await harness.openGateway({ ...LIMIT, AKASHGEN_API_KEYS: `${KEY_A},${KEY_B}` })
    for (let i = 0; i < 3; i++) expect((await job(gateway.url, { 'x-api-key': KEY_A })).status).toBe(400)
    await expectLimited(await job(gateway.url, { authorization: `Bearer ${KEY_A}` }))
    expect((await job(gateway.url, { 'x-api-key': KEY_B })).status).toBe(400)
  })

  it('answers /v1 in OpenAI shape: 429 rate_limit_error', async () => {
    const gateway = await harness.openGateway(LIMIT)
    for (let i = 0; i < 3; i++) expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(200)
    const response = await fetch(`${gateway.url}/v1/models`)
    expect(response.status).toBe(429)
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await response.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limited' } })
  })

  it('is off with AKASHGEN_RATE_LIMIT=0', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_RATE_LIMIT: '0' })
    for (let i = 0; i < 5; i++) {
      const response = await job(gateway.url)
      expect(response.status).toBe(400)
      expect(response.headers.get('ratelimit-policy')).toBeNull()
    }
  })
})

describe('rate limits with REDIS_URL', () => {
  beforeAll(requireRedis)
  const prefixes: string[] = []
  afterAll(async () => {
    for (const prefix of prefixes) await dropPrefix(REDIS_URL, prefix)
  })

  it('two gateways share one counter', async () => {
    const prefix = freshPrefix()
    prefixes.push(prefix)
    const env = { ...LIMIT, REDIS_URL: REDIS_URL, AKASHGEN_REDIS_PREFIX: prefix }
    const [first, second] = [await harness.openGateway(env), await harness.openGateway(env)]
    expect((await job(first.url)).status).toBe(400)
    expect((await job(second.url)).status).toBe(400)
    expect((await job(first.url)).headers.get('ratelimit-remaining')).toBe('0')
    await expectLimited(await job(second.url))
  })
})
