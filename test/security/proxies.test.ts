// AKASHGEN_TRUST_PROXY decides whose X-Forwarded-* headers count; AKASHGEN_PUBLIC_URL makes absolute URLs.
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { nodeRequest } from '../support/raw-http.ts'

const harness = useGatewayHarness()

const JSON_VIEW = { 'content-type': 'application/json', accept: 'application/json' }
const generate = (url: string, headers: Record<string, string>) =>
  nodeRequest(
    `${url}/api/generate`,
    { method: 'POST', headers: { ...JSON_VIEW, ...headers } },
    JSON.stringify({ prompt: 'a lighthouse' }),
  )
const imageUrlOf = (body: string) => (JSON.parse(body) as { imageUrl: string }).imageUrl

describe('trusted proxies', () => {
  it('ignores X-Forwarded-* unless AKASHGEN_TRUST_PROXY trusts the hop', async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' }
    const untrusted = await harness.openGateway({ AKASHGEN_RATE_LIMIT: '1' })
    expect(imageUrlOf((await generate(untrusted.url, forwarded)).body)).toMatch(/^http:\/\/127\.0\.0\.1:/)
    // Every caller is the proxy's address: one budget for all.
    expect((await generate(untrusted.url, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(429)

    const trusted = await harness.openGateway({
      AKASHGEN_RATE_LIMIT: '1',
      AKASHGEN_TRUST_PROXY: '127.0.0.1/8',
    })
    expect(imageUrlOf((await generate(trusted.url, forwarded)).body)).toMatch(/^https:\/\/127\.0\.0\.1:/)
    // Each forwarded client has its own budget.
    expect((await generate(trusted.url, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(200)
    expect((await generate(trusted.url, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(429)
  })

  it('counts hops with AKASHGEN_TRUST_PROXY=1', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_RATE_LIMIT: '1', AKASHGEN_TRUST_PROXY: '1' })
    expect((await generate(gateway.url, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200)
    expect((await generate(gateway.url, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200)
  })
})

describe('absolute URLs', () => {
  it.each(['evil.example/phish?x=', 'a b', 'user@evil.example', '[::1'])(
    'refuses Host %j with 400 INVALID_REQUEST naming the Host header',
    async (host) => {
      const gateway = await harness.openGateway()
      const upstreamJobs = harness.emulator.jobs().length
      const response = await generate(gateway.url, { host })
      expect(response.status).toBe(400)
      expect(JSON.parse(response.body)).toMatchObject({
        code: 'INVALID_REQUEST',
        details: { header: 'Host' },
      })
      expect(harness.emulator.jobs()).toHaveLength(upstreamJobs)
    },
  )

  it('uses AKASHGEN_PUBLIC_URL whatever the Host header says', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_PUBLIC_URL: 'https://images.example.com' })
    const response = await generate(gateway.url, { host: 'evil.example/phish?' })
    expect(response.status).toBe(200)
    expect(imageUrlOf(response.body)).toMatch(
      /^https:\/\/images\.example\.com\/api\/jobs\/[0-9a-f-]+\/image$/,
    )
  })
})
