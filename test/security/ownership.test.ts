import OpenAI from 'openai'
import { describe, expect, it, vi } from 'vitest'
import { type AkashGenClient, createAkashGenClient } from '../../client/index.ts'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { outcomeOf } from '../support/outcomes.ts'
import { readSse } from '../support/sse.ts'

const harness = useGatewayHarness()

const KEY_A = 'owner-key-a-0123456789abcdef'
const KEY_B = 'owner-key-b-fedcba9876543210'
const KEYS = { AKASHGEN_API_KEYS: `${KEY_A},${KEY_B}` }
const UNKNOWN = '00000000-0000-4000-8000-000000000000'

const as = (key: string) => ({ authorization: `Bearer ${key}` })

/** The 404 body with the job id taken out, so another key's job and an unknown id can be compared. */
async function notFoundBody(response: Response, jobId: string): Promise<unknown> {
  expect(response.status).toBe(404)
  const { requestId: _requestId, ...body } = (await response.json()) as Record<string, unknown>
  return JSON.parse(JSON.stringify(body).replaceAll(jobId, '<id>'))
}

/** The error code `jobEvents` ends with, or 'no error' when it streamed. */
function subscriptionCode(client: AkashGenClient, jobId: string): Promise<string> {
  return new Promise((resolve) => {
    const subscription = client.jobEvents.subscribe(
      { jobId },
      {
        onData: () => {
          subscription.unsubscribe()
          resolve('no error')
        },
        onComplete: () => resolve('no error'),
        onError: (error) => resolve((error.data as { errorCode: string } | undefined)?.errorCode ?? 'none'),
      },
    )
  })
}

describe('with API keys, a job is the key’s that made it', () => {
  it('another key gets 404 NOT_FOUND on REST view, image, events and DELETE, and cancels nothing', async () => {
    resetEmulator(harness.emulator, { runMs: 800 })
    const gateway = await harness.openGateway(KEYS)
    const a = createAkashGenClient({ url: gateway.url, apiKey: KEY_A })
    const { jobId } = await a.generate.mutate({ prompt: 'a job of key A' })
    const url = `${gateway.url}/api/jobs/${jobId}`
    const unknown = await notFoundBody(
      await fetch(`${gateway.url}/api/jobs/${UNKNOWN}`, { headers: as(KEY_B) }),
      UNKNOWN,
    )
    expect(unknown).toMatchObject({ code: 'NOT_FOUND' })

    const views = [
      await fetch(url, { headers: as(KEY_B) }),
      await fetch(`${url}/image`, { headers: as(KEY_B) }),
      await fetch(`${url}/events`, { headers: { ...as(KEY_B), accept: 'text/event-stream' } }),
      await fetch(url, { method: 'DELETE', headers: { 'x-api-key': KEY_B } }),
    ]
    for (const response of views) expect(await notFoundBody(response, jobId)).toEqual(unknown)

    // Key A's job was not cancelled: it runs on and succeeds, and A sees all of it.
    const events = await readSse(await fetch(`${url}/events`, { headers: as(KEY_A) }))
    expect(events.messages.at(-1)?.event).toBe('succeeded')
    expect(harness.emulator.counters.submissions).toBe(1)
    expect((await fetch(`${url}/image`, { headers: { 'x-api-key': KEY_A } })).status).toBe(200)
    expect(await (await fetch(url, { headers: as(KEY_A) })).json()).toMatchObject({ status: 'succeeded' })
  })

  it('another key gets NOT_FOUND from tRPC jobStatus, jobEvents and cancel, and cancels nothing', async () => {
    resetEmulator(harness.emulator, { runMs: 800 })
    const gateway = await harness.openGateway(KEYS)
    const a = createAkashGenClient({ url: gateway.url, apiKey: KEY_A })
    const b = createAkashGenClient({ url: gateway.url, apiKey: KEY_B })
    const { jobId } = await a.generate.mutate({ prompt: 'a job of key A' })

    expect(await outcomeOf(b.jobStatus.query({ jobId }))).toBe('NOT_FOUND')
    expect(await outcomeOf(b.cancel.mutate({ jobId }))).toBe('NOT_FOUND')
    expect(await subscriptionCode(b, jobId)).toBe('NOT_FOUND')
    expect(await outcomeOf(b.jobStatus.query({ jobId: UNKNOWN }))).toBe('NOT_FOUND')

    await vi.waitFor(async () => expect((await a.jobStatus.query({ jobId })).status).toBe('succeeded'), {
      timeout: 10_000,
    })
    expect(await subscriptionCode(a, jobId)).toBe('no error')
  })

  it('a /v1 image URL answers its own key only', async () => {
    const gateway = await harness.openGateway(KEYS)
    const openai = new OpenAI({ apiKey: KEY_A, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    const answer = await openai.images.generate({ prompt: 'a url of key A', response_format: 'url' })
    const url = answer.data?.[0]?.url ?? ''
    expect(url).toMatch(/\/api\/jobs\/[^/]+\/image$/)
    expect((await fetch(url, { headers: as(KEY_A) })).status).toBe(200)
    const other = await fetch(url, { headers: as(KEY_B) })
    expect(other.status).toBe(404)
    expect(await other.json()).toMatchObject({ code: 'NOT_FOUND' })
  })

  it('keeps jobs unowned in open mode: any caller sees them, as before', async () => {
    const gateway = await harness.openGateway()
    const a = createAkashGenClient({ url: gateway.url })
    const { jobId } = await a.generate.mutate({ prompt: 'an open job' })
    const view = await fetch(`${gateway.url}/api/jobs/${jobId}`, { headers: as('not-a-configured-key') })
    expect(view.status).toBe(200)
  })
})
