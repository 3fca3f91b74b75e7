import { createServer } from 'node:net'
import type { Health, Readiness } from '@akashgen/contract'
import { describe, expect, it, vi } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { scrape } from './prometheus-text.ts'

const harness = useGatewayHarness()

const generate = (url: string) =>
  fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a quiet harbour' }),
  })

const ready = async (url: string) => {
  const response = await fetch(`${url}/ready`)
  return { status: response.status, body: (await response.json()) as Readiness }
}
const health = async (url: string) => (await (await fetch(`${url}/health`)).json()) as Health

/** A loopback port nobody listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

describe('GET /ready and the upstream', () => {
  /** Quick retries, and a breaker that opens after 5 unanswered requests and probes 300 ms later. */
  const FAST_BREAKER = { AKASHGEN_UPSTREAM_RETRY_BASE_MS: '5', AKASHGEN_CIRCUIT_COOLDOWN_MS: '300' }

  it('answers 503 naming the upstream once the breaker opened, and /health says it is down', async () => {
    const port = await closedPort()
    // Not the emulator: a port nobody listens on.
    const gateway = await harness.openGateway({
      AKASHGEN_UPSTREAM_URL: `http://127.0.0.1:${port}`,
      ...FAST_BREAKER,
    })
    // Nothing asked of the upstream yet: nothing known against it.
    expect(await ready(gateway.url)).toEqual({ status: 200, body: { ready: true, reasons: [] } })
    expect((await health(gateway.url)).upstreamState).toBe('unknown')
    // Refused connections are retried (2 retries): 3 attempts, then the 4th and 5th open the breaker.
    expect((await generate(gateway.url)).status).toBe(502)
    expect((await ready(gateway.url)).status).toBe(200)
    const refused = await generate(gateway.url)
    expect(refused.status).toBe(503)
    expect(await refused.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true })
    const { status, body } = await ready(gateway.url)
    expect(status).toBe(503)
    expect(body.ready).toBe(false)
    expect(body.reasons).toEqual([expect.stringMatching(/upstream .*127\.0\.0\.1:\d+.* unreachable/)])
    const report = await health(gateway.url)
    expect(report).toMatchObject({ status: 'ok', upstreamState: 'down' })
    const metrics = await scrape(gateway.url)
    const submit = (outcome: string) =>
      metrics.value('akashgen_upstream_requests_total', { endpoint: 'submit', outcome })
    expect([submit('network'), submit('circuit_open')]).toEqual([5, 1])
    expect(metrics.value('akashgen_upstream_circuit_state')).toBe(2)
    expect(metrics.value('akashgen_http_requests_total', { route: '/ready', status_code: '503' })).toBe(1)
  })

  it('is ready while the upstream answers, not ready once 5xx opened the breaker, and ready again after', async () => {
    const gateway = await harness.openGateway(FAST_BREAKER)
    expect((await generate(gateway.url)).status).toBe(200)
    expect(await ready(gateway.url)).toEqual({ status: 200, body: { ready: true, reasons: [] } })
    expect((await health(gateway.url)).upstreamState).toBe('up')

    harness.emulator.configure({ faults: { submit: { status: 503, times: 5 } } })
    // Three 503s (one call and its two retries) are not enough to call it down.
    expect((await generate(gateway.url)).status).toBe(502)
    expect((await ready(gateway.url)).status).toBe(200)
    expect((await generate(gateway.url)).status).toBe(503)
    expect((await ready(gateway.url)).status).toBe(503)
    expect(harness.emulator.counters.submissions).toBe(6)

    // After the cool-down a probe may go: ready again, and the next job is that probe.
    await vi.waitFor(async () => expect((await ready(gateway.url)).status).toBe(200), { timeout: 2000 })
    expect((await generate(gateway.url)).status).toBe(200)
    expect(await ready(gateway.url)).toEqual({ status: 200, body: { ready: true, reasons: [] } })
    expect((await health(gateway.url)).upstreamState).toBe('up')
  })

  it('does not count a 4xx as unreachable: the upstream answered', async () => {
    const gateway = await harness.openGateway()
    harness.emulator.configure({ faults: { submit: { status: 400, times: 3 } } })
    for (let i = 0; i < 3; i++) expect((await generate(gateway.url)).status).toBe(502)
    expect((await ready(gateway.url)).status).toBe(200)
    expect((await health(gateway.url)).upstreamState).toBe('up')
  })
})
