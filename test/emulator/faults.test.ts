// Endpoint faults: error statuses, late, hung, reset and malformed answers, limited or not by times.

import { type Emulator, startEmulator } from '@akashgen/emulator'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { askStatus, download, FAST, finishedJob, postGenerate, submitJob } from './harness.ts'

let emulator: Emulator
afterEach(() => emulator?.close())

describe('error statuses', () => {
  it('answers 429 with Retry-After on submit, and creates no job', async () => {
    emulator = await startEmulator({ ...FAST, faults: { submit: { status: 429 } } })
    const res = await postGenerate(emulator, { prompt: 'x' })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(((await res.json()) as { error: string }).error).toBeTypeOf('string')
    expect(emulator.jobs()).toHaveLength(0)
    expect(emulator.counters.submissions).toBe(1)
  })

  it.each([500, 502, 503])('answers %i with a JSON error on status', async (status) => {
    emulator = await startEmulator({ ...FAST, faults: { status: { status } } })
    const id = await submitJob(emulator)
    const res = await askStatus(emulator, [id])
    expect(res.code).toBe(status)
    expect(res.body).toHaveProperty('error')
  })

  it('clears a fault after times requests', async () => {
    emulator = await startEmulator({ ...FAST, faults: { status: { status: 503, times: 2 } } })
    const id = await submitJob(emulator)
    const codes = []
    for (let i = 0; i < 4; i++) codes.push((await askStatus(emulator, [id])).code)
    expect(codes).toEqual([503, 503, 200, 200])
  })
})

describe('probabilistic faults', () => {
  it('plays a fault with probability p on about that share of requests, the rest answered normally', async () => {
    emulator = await startEmulator({ ...FAST, faults: { status: { status: 503, probability: 0.3 } } })
    const id = await submitJob(emulator)
    const codes = []
    for (let i = 0; i < 200; i++) codes.push((await askStatus(emulator, [id])).code)
    const faulted = codes.filter((code) => code === 503).length
    expect(codes.filter((code) => code !== 503 && code !== 200)).toEqual([])
    // Binomial(200, 0.3): mean 60, sd 6.5; 30..90 is more than 4.5 sd either side.
    expect(faulted).toBeGreaterThan(30)
    expect(faulted).toBeLessThan(90)
  })

  it('plays nothing at probability 0 and always at 1; times counts only the faults played', async () => {
    emulator = await startEmulator({ ...FAST, faults: { status: { status: 500, probability: 0 } } })
    const id = await submitJob(emulator)
    expect((await askStatus(emulator, [id])).code).toBe(200)
    emulator.configure({ faults: { status: { status: 500, probability: 1, times: 2 } } })
    const codes = []
    for (let i = 0; i < 3; i++) codes.push((await askStatus(emulator, [id])).code)
    expect(codes).toEqual([500, 500, 200])
  })

  it('refuses a probability outside 0..1, naming it', async () => {
    emulator = await startEmulator(FAST)
    expect(() => emulator.configure({ faults: { image: { status: 500, probability: 1.5 } } })).toThrow(
      /faults\.image\.probability/,
    )
  })
})

describe('slow, hung and broken answers', () => {
  it('answers late with delayMs', async () => {
    emulator = await startEmulator({ ...FAST, faults: { status: { delayMs: 150 } } })
    const id = await submitJob(emulator)
    const started = Date.now()
    expect((await askStatus(emulator, [id])).code).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('never answers a hung request; the client gives up with its own timeout', async () => {
    emulator = await startEmulator({ ...FAST, faults: { status: { hang: true } } })
    const asked = fetch(`${emulator.url}/api/status?ids=x`, { signal: AbortSignal.timeout(150) })
    await expect(asked).rejects.toThrow(/timeout|aborted/i)
    expect(emulator.counters.statusRequests).toBe(1)
  })

  it('destroys the socket with reset', async () => {
    emulator = await startEmulator({ ...FAST, faults: { submit: { reset: true } } })
    await expect(postGenerate(emulator, { prompt: 'x' })).rejects.toThrow()
  })

  it('answers 200 with broken JSON with malformed', async () => {
    emulator = await startEmulator({ ...FAST, faults: { submit: { malformed: true } } })
    const res = await postGenerate(emulator, { prompt: 'x' })
    expect(res.status).toBe(200)
    await expect(res.json()).rejects.toThrow(SyntaxError)
  })

  it('answers HTML instead of image bytes with a malformed image fault', async () => {
    emulator = await startEmulator(FAST)
    const { result } = await finishedJob(emulator)
    emulator.configure({ faults: { image: { malformed: true, times: 1 } } })
    const broken = await download(emulator, result)
    expect([broken.code, broken.type]).toEqual([200, 'text/html; charset=utf-8'])
    expect((await download(emulator, result)).type).toBe('image/webp')
  })
})

describe('close()', () => {
  it('resolves promptly with a hung request still open, and the hung client sees a failure', async () => {
    emulator = await startEmulator({ ...FAST, faults: { status: { hang: true } } })
    const asked = fetch(`${emulator.url}/api/status?ids=x`)
    // Counted on arrival: from then on the request hangs open.
    await vi.waitFor(() => expect(emulator.counters.statusRequests).toBe(1))
    const started = Date.now()
    await emulator.close()
    expect(Date.now() - started).toBeLessThan(500)
    await expect(asked).rejects.toThrow()
  })

  it('clears job timers so nothing finishes after close', async () => {
    emulator = await startEmulator({ ...FAST, runMs: 100 })
    await submitJob(emulator)
    await emulator.close()
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(emulator.counters.completed).toBe(0)
    expect(emulator.jobs()[0]?.status).not.toBe('succeeded')
  })
})
