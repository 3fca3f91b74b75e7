// CORS (off by default, exact origins when configured) and helmet's security headers with their CSPs.
import { describe, expect, it } from 'vitest'
import { DOCS_CSP } from '../../server/http/security/headers.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { injectedFetch } from '../support/inject.ts'

const harness = useGatewayHarness()

const APP = 'https://app.example.com'
const KEY = 'cors-key-0123456789abcdef'

/** Only headers and statuses are read here: every request goes through app.inject(). */
const inject = (gateway: TestGateway) => injectedFetch(gateway.app)

const preflight = (gateway: TestGateway, path: string, origin: string, method = 'POST') =>
  inject(gateway)(path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, idempotency-key, last-event-id',
    },
  })

describe('CORS', () => {
  it('allows a configured origin on /api, /trpc and /v1, with the key, idempotency and resume headers', async () => {
    const gateway = await harness.openGateway({
      AKASHGEN_CORS_ORIGINS: `${APP}, https://other.example.com`,
      AKASHGEN_API_KEYS: KEY,
    })
    for (const path of ['/api/generate', '/trpc/generate', '/v1/images/generations', '/api/jobs/x/events']) {
      const response = await preflight(gateway, path, APP, path.endsWith('events') ? 'GET' : 'POST')
      expect([path, response.status]).toEqual([path, 204])
      expect(response.headers.get('access-control-allow-origin')).toBe(APP)
      const allowed = response.headers
        .get('access-control-allow-headers')
        ?.split(',')
        .map((h) => h.trim())
      expect(allowed).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'last-event-id']),
      )
    }
    // The actual request: refused without a key, but readable by the page (the origin is allowed).
    const refused = await inject(gateway)(`/api/jobs/x`, { headers: { origin: APP } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP)
    expect(refused.headers.get('access-control-expose-headers')).toContain('retry-after')
  })

  it('gives an origin that is not configured no Access-Control-Allow-Origin', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_CORS_ORIGINS: APP })
    const response = await preflight(gateway, '/api/generate', 'https://evil.example.com')
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    const simple = await inject(gateway)(`/health`, { headers: { origin: 'https://evil.example.com' } })
    expect(simple.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('allows any origin with "*"', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_CORS_ORIGINS: '*' })
    const response = await preflight(gateway, '/trpc/generate', 'https://anyone.example.com')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('is off by default: no CORS headers, for a preflight or a request', async () => {
    const gateway = await harness.openGateway()
    const response = await preflight(gateway, '/api/generate', APP)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(response.headers.get('access-control-allow-headers')).toBeNull()
    const simple = await inject(gateway)(`/health`, { headers: { origin: APP } })
    expect(simple.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('refuses an origin with a path at start-up', async () => {
    await expect(harness.openGateway({ AKASHGEN_CORS_ORIGINS: `${APP}/app` })).rejects.toThrow(
      /AKASHGEN_CORS_ORIGINS/,
    )
  })
})

describe('security headers', () => {
  it('are on every response: the page, the API, errors and /health', async () => {
    const gateway = await harness.openGateway()
    for (const path of ['/', '/api/jobs/x', '/health', '/trpc/health', '/v1/models', '/nowhere']) {
      const response = await inject(gateway)(`${path}`)
      const headers = response.headers
      expect([path, headers.get('x-content-type-options')]).toEqual([path, 'nosniff'])
      expect(headers.get('x-frame-options')).toBe('SAMEORIGIN')
      expect(headers.get('referrer-policy')).toBe('no-referrer')
      expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/)
      const csp = headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      expect(csp).not.toContain('upgrade-insecure-requests')
    }
  })

  it('gives Swagger UI (/docs) its own policy, and job images a cross-origin resource policy', async () => {
    const gateway = await harness.openGateway()
    for (const path of ['/docs/', '/docs/static/swagger-initializer.js']) {
      const response = await inject(gateway)(`${path}`)
      expect([path, response.status]).toEqual([path, 200])
      expect(response.headers.get('content-security-policy')).toBe(DOCS_CSP)
    }
    const image = await inject(gateway)(`/api/jobs/x/image`)
    expect(image.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
    expect((await inject(gateway)(`/health`)).headers.get('cross-origin-resource-policy')).toBe('same-origin')
  })
})
