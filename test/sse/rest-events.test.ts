// `/api/jobs/:id` and its event stream as curl or a browser sees them: real sockets, the emulator upstream.
import { randomUUID } from 'node:crypto'
import { createAkashGenClient, ErrorBody, isFinalStatus, Job, JobEvent } from '@akashgen/client'
import { describe, expect, it } from 'vitest'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { fetchSse, type SseMessage } from '../support/sse.ts'

const harness = useGatewayHarness()

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Submits a job through the client package and answers its id. */
async function submit(gateway: TestGateway, prompt = `a kite ${randomUUID()}`): Promise<string> {
  const { jobId } = await createAkashGenClient({ url: gateway.url }).generate.mutate({ prompt })
  return jobId
}

/** `GET /api/jobs/:id` until the job is final. */
async function finalView(gateway: TestGateway, jobId: string): Promise<Job> {
  for (;;) {
    const job = Job.parse(await (await fetch(`${gateway.url}/api/jobs/${jobId}`)).json())
    if (isFinalStatus(job.status)) return job
    await pause(10)
  }
}

const eventsUrl = (gateway: TestGateway, jobId: string) => `${gateway.url}/api/jobs/${jobId}/events`

/** A message's id, type and parsed payload, checked against the contract. */
function decode(message: SseMessage): { id: number; type: string; event: JobEvent } {
  const event = JobEvent.parse(JSON.parse(message.data))
  expect(message.id).toMatch(/^\d+$/)
  return { id: Number(message.id), type: message.event, event }
}

describe('GET /api/jobs/:id/events', () => {
  it('streams queued, running (with the worker) and succeeded (with the image URL), then ends', async () => {
    resetEmulator(harness.emulator, { runMs: 300 })
    const gateway = await harness.openGateway()
    const prompt = `a tall ship ${randomUUID()}`
    const jobId = await submit(gateway, prompt)

    const stream = await fetchSse(eventsUrl(gateway, jobId))
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(stream.response.headers.get('x-job-id')).toBe(jobId)
    expect(stream.ended).toBe(true)
    const events = stream.messages.map(decode)
    const ids = events.map((e) => e.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(ids.length)
    for (const { type, event } of events) {
      expect(event.type).toBe(type)
      expect(event.job.status).toBe(type)
      expect(event.job.jobId).toBe(jobId)
    }
    const types = events.map((e) => e.type)
    expect(types[0]).toBe('queued')
    expect(types.at(-1)).toBe('succeeded')
    expect(types.filter(isFinal)).toEqual(['succeeded'])
    const running = events.find((e) => e.type === 'running')
    expect(running?.event.job.worker?.name).toMatch(/^akash-worker-\d+$/)
    expect(running?.event.job.worker?.gpu).not.toBe('')

    const imageUrl = events.at(-1)?.event.job.imageUrl ?? ''
    expect(new URL(imageUrl).origin).toBe(gateway.url)
    const bytes = Buffer.from(await (await fetch(imageUrl)).arrayBuffer())
    const expected = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, prompt))
    expect(bytes.equals(expected.bytes)).toBe(true)
  })

  it('ends with failed and JOB_FAILED when the upstream fails the job', async () => {
    resetEmulator(harness.emulator, { failRate: 1 })
    const gateway = await harness.openGateway()
    const stream = await fetchSse(eventsUrl(gateway, await submit(gateway)))
    expect(stream.ended).toBe(true)
    const last = decode(stream.messages.at(-1) as SseMessage)
    expect(last.type).toBe('failed')
    expect(last.event.job.error?.code).toBe('JOB_FAILED')
    expect(stream.messages.map(decode).filter((e) => isFinal(e.type))).toHaveLength(1)
  })

  describe('resuming', () => {
    it('sends exactly the events after Last-Event-ID (or ?lastEventId=) of a finished job', async () => {
      resetEmulator(harness.emulator, { runMs: 200 })
      const gateway = await harness.openGateway()
      const jobId = await submit(gateway)
      await finalView(gateway, jobId)
      const all = (await fetchSse(eventsUrl(gateway, jobId))).messages
      expect(all.length).toBeGreaterThanOrEqual(3)
      const middle = all[1] as SseMessage

      const byHeader = await fetchSse(eventsUrl(gateway, jobId), {
        headers: { 'last-event-id': `${middle.id}` },
      })
      expect(byHeader.ended).toBe(true)
      expect(byHeader.messages).toEqual(all.slice(2))
      const byQuery = await fetchSse(`${eventsUrl(gateway, jobId)}?lastEventId=${middle.id}`)
      expect(byQuery.messages).toEqual(all.slice(2))
      const afterLast = await fetchSse(eventsUrl(gateway, jobId), {
        headers: { 'last-event-id': `${all.at(-1)?.id}` },
      })
      expect(afterLast).toMatchObject({ ended: true, messages: [] })
    })

    it('gives a reconnecting reader of a live job exactly what it missed', async () => {
      resetEmulator(harness.emulator, { runMs: 400 })
      const gateway = await harness.openGateway()
      const jobId = await submit(gateway)
      const hangUp = new AbortController()
      const first = await fetchSse(eventsUrl(gateway, jobId), { signal: hangUp.signal }, () => false)
      hangUp.abort()
      expect(first.ended).toBe(false)
      const seen = first.messages
      expect(seen).toHaveLength(1)

      const rest = await fetchSse(eventsUrl(gateway, jobId), {
        headers: { 'last-event-id': `${seen[0]?.id}` },
      })
      expect(rest.ended).toBe(true)
      const all = (await fetchSse(eventsUrl(gateway, jobId))).messages
      expect([...seen, ...rest.messages]).toEqual(all)
      expect(all.at(-1)?.event).toBe('succeeded')
    })
  })

  it('does not cancel the job when its only reader hangs up: watching is not owning', async () => {
    resetEmulator(harness.emulator, { runMs: 300 })
    const gateway = await harness.openGateway()
    const jobId = await submit(gateway)
    const hangUp = new AbortController()
    await fetchSse(eventsUrl(gateway, jobId), { signal: hangUp.signal }, () => false)
    hangUp.abort()
    expect((await finalView(gateway, jobId)).status).toBe('succeeded')
  })

  it.each([
    ['an unknown job', () => randomUUID(), {}, 404, 'NOT_FOUND'],
    ['a malformed job id', () => 'not.a.job', {}, 400, 'INVALID_REQUEST'],
    [
      'a Last-Event-ID that is not an event id',
      () => randomUUID(),
      { 'last-event-id': 'x' },
      400,
      'INVALID_REQUEST',
    ],
  ])('answers %s with a JSON error', async (_name, jobId, headers, status, code) => {
    const gateway = await harness.openGateway()
    const response = await fetch(eventsUrl(gateway, jobId()), { headers })
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(ErrorBody.parse(await response.json())).toMatchObject({ code, retryable: false })
  })
})

describe('GET and DELETE /api/jobs/:id', () => {
  it('answers the Job view, NOT_FOUND for an unknown job and INVALID_REQUEST for a malformed id', async () => {
    const gateway = await harness.openGateway()
    const jobId = await submit(gateway)
    const job = await finalView(gateway, jobId)
    expect(job).toMatchObject({
      jobId,
      status: 'succeeded',
      imageUrl: `${gateway.url}/api/jobs/${jobId}/image`,
    })

    const unknown = await fetch(`${gateway.url}/api/jobs/${randomUUID()}`)
    expect(unknown.status).toBe(404)
    expect(ErrorBody.parse(await unknown.json())).toMatchObject({
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    })
    const malformed = await fetch(`${gateway.url}/api/jobs/not.a.job`)
    expect(malformed.status).toBe(400)
    expect(ErrorBody.parse(await malformed.json()).code).toBe('INVALID_REQUEST')
  })

  it('cancels a running job, leaves a final one as it is, and refuses an unknown one', async () => {
    resetEmulator(harness.emulator, { runMs: 5000 })
    const gateway = await harness.openGateway()
    const jobId = await submit(gateway)
    const stream = fetchSse(eventsUrl(gateway, jobId))

    const cancelled = await fetch(`${gateway.url}/api/jobs/${jobId}`, { method: 'DELETE' })
    expect(cancelled.status).toBe(200)
    expect(Job.parse(await cancelled.json())).toMatchObject({
      status: 'cancelled',
      error: { code: 'CANCELLED' },
    })
    const events = (await stream).messages.map(decode)
    expect(events.at(-1)?.type).toBe('cancelled')

    const again = await fetch(`${gateway.url}/api/jobs/${jobId}`, { method: 'DELETE' })
    expect(Job.parse(await again.json()).status).toBe('cancelled')
    expect((await fetch(`${gateway.url}/api/jobs/${randomUUID()}`, { method: 'DELETE' })).status).toBe(404)
    expect((await finalView(gateway, jobId)).status).toBe('cancelled')
  })
})

function isFinal(type: string): boolean {
  return isFinalStatus(type as Job['status'])
}
