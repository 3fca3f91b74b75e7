import { describe, expect, it, vi } from 'vitest'
import { createAkashGenClient } from '../../client/index.ts'
import { resetEmulator } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { finalStatus, outcomeOf } from '../support/outcomes.ts'

const harness = useGatewayHarness()

const KEY_A = 'share-key-a-0123456789abcdef'
const KEY_B = 'share-key-b-fedcba9876543210'
const KEYS = { AKASHGEN_API_KEYS: `${KEY_A},${KEY_B}` }

/** `POST /api/generate` answering at once (202) with key `key`. */
const submit = (gateway: TestGateway, key: string, prompt: string) =>
  fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, prefer: 'respond-async' },
    body: JSON.stringify({ prompt }),
  })

/** Checks a 429 CLIENT_LIMIT naming `limit`, with Retry-After. */
async function expectClientLimit(response: Response, limit: string): Promise<void> {
  expect(response.status).toBe(429)
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  expect(await response.json()).toMatchObject({ code: 'CLIENT_LIMIT', retryable: true, details: { limit } })
}

describe('per-client job share (AKASHGEN_MAX_JOBS_PER_CLIENT)', () => {
  it("after key A's burst of 120 jobs, key B's jobs are still accepted; A is refused naming its limit", async () => {
    // Upstream jobs never finish, and hold no emulator worker from the tests after this one.
    resetEmulator(harness.emulator, { stuckWaiting: true })
    // The defaults: 10 slots and 100 places, so a client may hold floor(110 / 4) = 27 jobs.
    const gateway = await harness.openGateway(KEYS)
    const burst = await Promise.all(
      Array.from({ length: 120 }, (_, i) => submit(gateway, KEY_A, `burst ${i}`)),
    )
    const statuses = burst.map((response) => response.status)
    expect(statuses.filter((status) => status === 202)).toHaveLength(27)
    expect(statuses.filter((status) => status === 429)).toHaveLength(93)
    const refused = burst.find((response) => response.status === 429)
    if (!refused) throw new Error('the burst was refused in part')
    await expectClientLimit(refused, 'AKASHGEN_MAX_JOBS_PER_CLIENT')

    const others = await Promise.all(
      Array.from({ length: 5 }, (_, i) => submit(gateway, KEY_B, `other ${i}`)),
    )
    expect(others.map((response) => response.status)).toEqual([202, 202, 202, 202, 202])
  })

  describe('the share comes back whatever way a job ends', () => {
    const capOfOne = { ...KEYS, AKASHGEN_MAX_JOBS_PER_CLIENT: '1' }

    /** Opens a gateway with a share of one job, and key A's client of it. */
    async function openCapOfOne(env: Record<string, string> = {}) {
      const gateway = await harness.openGateway({ ...capOfOne, ...env })
      const a = createAkashGenClient({ url: gateway.url, apiKey: KEY_A })
      const b = createAkashGenClient({ url: gateway.url, apiKey: KEY_B })
      return { gateway, a, b }
    }

    it('succeeded, failed', async () => {
      const { a } = await openCapOfOne()
      const first = await a.generate.mutate({ prompt: 'succeeds' })
      expect(await outcomeOf(a.generate.mutate({ prompt: 'over the share' }))).toBe('CLIENT_LIMIT')
      expect(await finalStatus(a, first.jobId)).toBe('succeeded')
      harness.emulator.configure({ failRate: 1 })
      const second = await a.generate.mutate({ prompt: 'fails' })
      expect(await finalStatus(a, second.jobId)).toBe('failed')
      harness.emulator.configure({ failRate: 0 })
      expect(await outcomeOf(a.generate.mutate({ prompt: 'after both' }))).toBe('accepted')
    })

    it('cancelled while running, and while waiting in line', async () => {
      resetEmulator(harness.emulator, { runMs: 10_000, workers: 64 })
      const { a, b } = await openCapOfOne({ AKASHGEN_MAX_CONCURRENT: '1' })
      const running = await a.generate.mutate({ prompt: 'runs' })
      await a.cancel.mutate({ jobId: running.jobId })
      expect(await finalStatus(a, running.jobId)).toBe('cancelled')
      // Key B holds the only slot, so A's next job waits in line until A cancels it.
      await b.generate.mutate({ prompt: 'holds the slot' })
      const waiting = await a.generate.mutate({ prompt: 'waits' })
      expect(waiting.status).toBe('queued')
      await a.cancel.mutate({ jobId: waiting.jobId })
      expect(await finalStatus(a, waiting.jobId)).toBe('cancelled')
      expect(await outcomeOf(a.generate.mutate({ prompt: 'after both' }))).toBe('accepted')
    })

    it('timed out, and a sync caller who hung up', async () => {
      resetEmulator(harness.emulator, { stuckWaiting: true })
      const { gateway, a } = await openCapOfOne({ AKASHGEN_JOB_TIMEOUT_MS: '1000' })
      const stuck = await a.generate.mutate({ prompt: 'never runs' })
      expect(await finalStatus(a, stuck.jobId)).toBe('timed_out')
      const hangUp = new AbortController()
      const sync = fetch(`${gateway.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY_A}` },
        body: JSON.stringify({ prompt: 'left behind' }),
        signal: hangUp.signal,
      }).catch(() => undefined)
      await vi.waitFor(() => expect(harness.emulator.counters.submittedPrompts).toContain('left behind'))
      hangUp.abort()
      await sync
      await vi.waitFor(async () =>
        expect(await outcomeOf(a.generate.mutate({ prompt: 'after' }))).toBe('accepted'),
      )
    })

    it('refused because the line was full', async () => {
      resetEmulator(harness.emulator, { runMs: 600 })
      const { a, b } = await openCapOfOne({ AKASHGEN_MAX_CONCURRENT: '1', AKASHGEN_MAX_QUEUE: '0' })
      const busy = await b.generate.mutate({ prompt: 'holds the slot' })
      expect(await outcomeOf(a.generate.mutate({ prompt: 'no room' }))).toBe('QUEUE_FULL')
      expect(await finalStatus(b, busy.jobId)).toBe('succeeded')
      expect(await outcomeOf(a.generate.mutate({ prompt: 'room now' }))).toBe('accepted')
    })
  })
})

describe('per-client stream cap (AKASHGEN_MAX_STREAMS_PER_CLIENT)', () => {
  it('counts REST and tRPC streams together, leaves other keys alone, and frees a place when one closes', async () => {
    resetEmulator(harness.emulator, { runMs: 10_000, workers: 64 })
    const gateway = await harness.openGateway({ ...KEYS, AKASHGEN_MAX_STREAMS_PER_CLIENT: '2' })
    const a = createAkashGenClient({ url: gateway.url, apiKey: KEY_A })
    const { jobId } = await a.generate.mutate({ prompt: 'watched' })
    const eventsUrl = `${gateway.url}/api/jobs/${jobId}/events`
    const open = (key: string, signal?: AbortSignal) =>
      fetch(eventsUrl, { headers: { authorization: `Bearer ${key}` }, ...(signal ? { signal } : {}) })

    const first = new AbortController()
    expect((await open(KEY_A, first.signal)).status).toBe(200)
    const subscription = a.jobEvents.subscribe({ jobId }, { onData: () => {} })
    await vi.waitFor(() => expect(gateway.app.openStreams.size).toBe(2))
    await expectClientLimit(await open(KEY_A), 'AKASHGEN_MAX_STREAMS_PER_CLIENT')
    const refusedSubscription = await new Promise<string>((resolve) => {
      const third = a.jobEvents.subscribe(
        { jobId },
        {
          onData: () => resolve('opened'),
          onError: (error) => {
            third.unsubscribe()
            resolve((error.data as { errorCode?: string } | undefined)?.errorCode ?? 'no code')
          },
        },
      )
    })
    expect(refusedSubscription).toBe('CLIENT_LIMIT')

    // Key B is another client, with a share of its own (A's job is 404 to it: it watches its own).
    const b = createAkashGenClient({ url: gateway.url, apiKey: KEY_B })
    const own = await b.generate.mutate({ prompt: "B's own" })
    expect(
      (await fetch(`${gateway.url}/api/jobs/${own.jobId}/events`, { headers: { 'x-api-key': KEY_B } }))
        .status,
    ).toBe(200)

    first.abort()
    subscription.unsubscribe()
    await vi.waitFor(async () => {
      const again = await open(KEY_A)
      expect(again.status).toBe(200)
      await again.body?.cancel()
    })
  })
})
