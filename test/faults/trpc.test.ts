// A few faults as a TypeScript app sees them: the client package's generateImage (tRPC generate, then the
// jobEvents subscription, then the bytes) rejects with the documented code, and no stream is left open.

import { AkashGenError, generateImage } from '@akashgen/client'
import type { EmulatorOptions } from '@akashgen/emulator'
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { expectIdle, faultGateway, JOB_TIMEOUT_MS, untilReady } from './support.ts'

const harness = useGatewayHarness()

describe('generateImage through a fault', () => {
  it.each<[string, string, Partial<EmulatorOptions>]>([
    ['a 500 on submit', 'UPSTREAM_ERROR', { faults: { submit: { status: 500 } } }],
    ['lasting 503s on status', 'JOB_TIMEOUT', { faults: { status: { status: 503 } } }],
    ['a job stuck waiting', 'JOB_TIMEOUT', { stuckWaiting: true }],
    ['a non-image body', 'UPSTREAM_ERROR', { nonImage: true }],
  ])('%s rejects with %s', async (_name, code, knobs) => {
    const gateway = await faultGateway(harness)
    harness.emulator.configure(knobs)
    const started = Date.now()
    const error = await generateImage({ prompt: 'through the client' }, { url: gateway.url }).catch((e) => e)
    expect(error).toBeInstanceOf(AkashGenError)
    expect(error).toMatchObject({ code })
    expect(Date.now() - started).toBeLessThan(JOB_TIMEOUT_MS + 1000)
    await expectIdle(gateway, harness.emulator)

    harness.emulator.configure({ faults: {}, failRate: 0, stuckWaiting: false, nonImage: false })
    await untilReady(gateway)
    const image = await generateImage({ prompt: 'a normal job right after' }, { url: gateway.url })
    expect(image.bytes.byteLength).toBeGreaterThan(0)
    expect(gateway.app.openStreams.size).toBe(0)
  })
})
