// The upstream circuit breaker end to end: it opens on repeated failures, fails fast without touching the
// upstream, pauses polling instead of failing jobs already upstream, and closes after a successful probe.

import { AkashGenError, generateImage } from '@akashgen/client'
import { describe, expect, it, vi } from 'vitest'
import { scrape } from '../metrics/prometheus-text.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { expectAnswer, expectIdle, faultGateway, generate, health } from './support.ts'

const harness = useGatewayHarness()

/** Log lines whose message starts with `msg`. */
const logged = (logs: Record<string, unknown>[], msg: string) =>
  logs.filter((line) => String(line.msg).startsWith(msg)).length
const circuitState = async (url: string) => (await scrape(url)).value('akashgen_upstream_circuit_state')

describe('the circuit breaker', () => {
  it('opens after repeated failures, fails fast without touching the upstream, and closes after a probe', async () => {
    const gateway = await faultGateway(harness, { AKASHGEN_CIRCUIT_COOLDOWN_MS: '500' })
    const { emulator } = harness
    emulator.configure({ faults: { submit: { status: 503 } } })
    // Three 503s (a call and its two retries), then two more open it (5 in a row) and the last try is refused.
    expectAnswer(await generate(gateway), 502, 'UPSTREAM_ERROR')
    const opened = await generate(gateway)
    expectAnswer(opened, 503, 'UPSTREAM_UNAVAILABLE')
    expect(emulator.counters.submissions).toBe(5)
    expect(await circuitState(gateway.url)).toBe(2)
    expect((await health(gateway)).upstreamState).toBe('down')

    // Open: refused at once, with Retry-After until the probe, and the emulator sees nothing at all.
    const seen = JSON.stringify(emulator.counters.requestsByPath)
    const refused = await generate(gateway)
    expectAnswer(refused, 503, 'UPSTREAM_UNAVAILABLE')
    expect(refused.ms).toBeLessThan(200)
    expect(refused.body).toMatchObject({ retryable: true, details: { circuit: 'open' } })
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    const viaClient = await generateImage({ prompt: 'through the client' }, { url: gateway.url }).catch(
      (e) => e,
    )
    expect(viaClient).toBeInstanceOf(AkashGenError)
    expect(viaClient).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' })
    expect(JSON.stringify(emulator.counters.requestsByPath)).toBe(seen)
    await expectIdle(gateway, emulator)

    // The emulator recovers; after the cool-down one probe goes through and closes the breaker.
    emulator.configure({ faults: {} })
    await vi.waitFor(async () => expect(await circuitState(gateway.url)).toBe(1), { timeout: 2000 })
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200)
    expect((await generate(gateway, 'the probe')).status).toBe(200)
    expect(await circuitState(gateway.url)).toBe(0)
    expect((await health(gateway)).upstreamState).toBe('up')
    expect((await generate(gateway, 'business as usual')).status).toBe(200)
    expect([
      logged(gateway.logs, 'upstream circuit opened'),
      logged(gateway.logs, 'upstream circuit closed'),
    ]).toEqual([1, 1])
    expect(logged(gateway.logs, 'upstream circuit half-open')).toBe(1)
  })

  it('re-opens for longer when the probe fails', async () => {
    const gateway = await faultGateway(harness, {
      AKASHGEN_CIRCUIT_FAILURES: '3',
      AKASHGEN_CIRCUIT_COOLDOWN_MS: '300',
    })
    harness.emulator.configure({ faults: { submit: { status: 503 } } })
    expectAnswer(await generate(gateway), 502, 'UPSTREAM_ERROR')
    await vi.waitFor(async () => expect((await fetch(`${gateway.url}/ready`)).status).toBe(200), {
      timeout: 2000,
    })
    const before = harness.emulator.counters.submissions
    expectAnswer(await generate(gateway), 503, 'UPSTREAM_UNAVAILABLE')
    // Only the probe reached the emulator; it failed, so the breaker is open again, for 600 ms this time.
    expect(harness.emulator.counters.submissions).toBe(before + 1)
    expect(logged(gateway.logs, 'upstream circuit re-opened')).toBe(1)
    const reopened = gateway.logs.find((line) => line.msg === 'upstream circuit re-opened: the probe failed')
    expect(reopened).toMatchObject({ cooldownMs: 600 })
  })

  it('pauses polling during a short status outage: a job already upstream survives it', async () => {
    const gateway = await faultGateway(harness, {
      AKASHGEN_CIRCUIT_FAILURES: '2',
      AKASHGEN_CIRCUIT_COOLDOWN_MS: '500',
      AKASHGEN_JOB_TIMEOUT_MS: '4000',
    })
    const { emulator } = harness
    emulator.configure({ runMs: 600 })
    const answer = generate(gateway, 'outlives an outage')
    await vi.waitFor(() => expect(emulator.counters.submissions).toBe(1))
    emulator.configure({ faults: { status: { status: 503 } } })
    await vi.waitFor(() => expect(logged(gateway.logs, 'upstream circuit opened')).toBe(1), { timeout: 3000 })
    // Paused: while open, the poller sends nothing.
    const during = emulator.counters.statusRequests
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(emulator.counters.statusRequests).toBe(during)
    emulator.configure({ faults: {} })
    const final = await answer
    expect(final.status).toBe(200)
    expect(logged(gateway.logs, 'upstream circuit closed')).toBe(1)
    await expectIdle(gateway, emulator)
  })
})
