// Rate limits count work: /v1 with n images counts n; wrong keys are limited per client address.
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

const KEY = 'work-key-0123456789abcdef'
const WRONG = 'work-key-0123456789abcdeX'

describe('rate limits count work', () => {
  it('counts a /v1/images/generations request for n=4 as 4 calls', async () => {
    const gateway = await harness.openGateway({
      AKASHGEN_RATE_LIMIT: '10',
      AKASHGEN_RATE_LIMIT_WINDOW_MS: '600000',
    })
    const response = await fetch(`${gateway.url}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'four lighthouses', n: 4 }),
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(4)
    expect(response.headers.get('ratelimit-remaining')).toBe('6')
    const next = await fetch(`${gateway.url}/v1/models`)
    expect(next.headers.get('ratelimit-remaining')).toBe('5')
  })

  it('after AKASHGEN_AUTH_FAILURES_PER_MINUTE wrong keys, the address gets 429 RATE_LIMITED, right key or not', async () => {
    const gateway = await harness.openGateway({
      AKASHGEN_API_KEYS: KEY,
      AKASHGEN_AUTH_FAILURES_PER_MINUTE: '3',
    })
    const wrong = { authorization: `Bearer ${WRONG}` }
    // A missing key tells a guesser nothing: not counted.
    for (let i = 0; i < 5; i++) expect((await fetch(`${gateway.url}/api/jobs/x`)).status).toBe(401)
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${gateway.url}/api/jobs/x`, { headers: wrong })).status).toBe(401)
    const limited = await fetch(`${gateway.url}/api/jobs/x`, { headers: wrong })
    expect(limited.status).toBe(429)
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 3, windowS: 60 } })
    // While blocked, no key is checked at all: a right one can not be told from a wrong one.
    const right = await fetch(`${gateway.url}/api/jobs/x`, { headers: { 'x-api-key': KEY } })
    expect(right.status).toBe(429)
    const trpc = await fetch(`${gateway.url}/trpc/health?input={}`, { headers: { 'x-api-key': KEY } })
    expect(trpc.status).toBe(429)
    const body = (await trpc.json()) as { error: { json: { data: { errorCode: string } } } }
    expect(body.error.json.data.errorCode).toBe('RATE_LIMITED')
  })
})
