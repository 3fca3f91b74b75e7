import { createServer } from 'node:net'
import type { Health, Readiness } from '@akashgen/client/contract'
import { describe, expect, it } from 'vitest'
import { startGateway } from '../support/gateway.ts'
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
  it('answers 503 naming the upstream while it is unreachable, and /health says it is down', async () => {
    const port = await closedPort()
    const gateway = await startGateway({ AKASHGEN_UPSTREAM_URL: `http://127.0.0.1:${port}` })
    try {
      // Nothing asked of the upstream yet: nothing known against it.
      expect(await ready(gateway.url)).toEqual({ status: 200, body: { ready: true, reasons: [] } })
      expect((await health(gateway.url)).upstreamState).toBe('unknown')
      for (let i = 0; i < 3; i++) expect((await generate(gateway.url)).status).toBe(502)
      const { status, body } = await ready(gateway.url)
      expect(status).toBe(503)
      expect(body.ready).toBe(false)
      expect(body.reasons).toEqual([expect.stringMatching(/upstream .*127\.0\.0\.1:\d+.* unreachable/)])
      const report = await health(gateway.url)
      expect(report).toMatchObject({ status: 'ok', upstreamState: 'down' })
      const metrics = await scrape(gateway.url)
      expect(
        metrics.value('akashgen_upstream_requests_total', { endpoint: 'submit', outcome: 'network' }),
      ).toBe(3)
      expect(metrics.value('akashgen_http_requests_total', { route: '/ready', status_code: '503' })).toBe(1)
    } finally {
      await gateway.close()
    }
  })

  it('is ready while the upstream answers, not ready while it answers only 5xx, and ready again after', async () => {
    const gateway = await harness.openGateway()
    expect((await generate(gateway.url)).status).toBe(200)
    expect(await ready(gateway.url)).toEqual({ status: 200, body: { ready: true, reasons: [] } })
    expect((await health(gateway.url)).upstreamState).toBe('up')

    harness.emulator.configure({ faults: { submit: { status: 503, times: 3 } } })
    for (let i = 0; i < 2; i++) expect((await generate(gateway.url)).status).toBe(502)
    // Two failures in a row are not enough to call it down.
    expect((await ready(gateway.url)).status).toBe(200)
    expect((await generate(gateway.url)).status).toBe(502)
    expect((await ready(gateway.url)).status).toBe(503)

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
