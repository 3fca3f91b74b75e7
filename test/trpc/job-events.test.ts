// `jobEvents` as a TypeScript app sees it: the client package's subscription over SSE, against the emulator.
import { randomUUID } from 'node:crypto'
import {
  type AkashGenClient,
  type AkashGenClientOptions,
  type AppRouter,
  createAkashGenClient,
  isFinalStatus,
  type JobEvent,
  type JobEventsInput,
} from '@akashgen/client'
import { TRPCClientError } from '@trpc/client'
import { describe, expect, it } from 'vitest'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

/** What one subscription saw: its events (id and payload) and how it ended. */
interface Seen {
  events: { id: string; data: JobEvent }[]
  completed: boolean
  error: TRPCClientError<AppRouter> | undefined
}

/** Subscribes and resolves once the subscription completes, fails, or `stopAfter` events have arrived. */
function subscribe(client: AkashGenClient, input: JobEventsInput, stopAfter = Infinity): Promise<Seen> {
  const seen: Seen = { events: [], completed: false, error: undefined }
  return new Promise((resolve) => {
    const subscription = client.jobEvents.subscribe(input, {
      onData: (event) => {
        seen.events.push(event)
        if (seen.events.length < stopAfter) return
        subscription.unsubscribe()
        resolve(seen)
      },
      onComplete: () => {
        seen.completed = seen.events.length < stopAfter
        resolve(seen)
      },
      onError: (error) => {
        seen.error = error
        resolve(seen)
      },
    })
  })
}

const summary = (seen: Seen) => seen.events.map(({ id, data }) => `${id}:${data.type}`)

/** A gateway in front of this file's emulator and a client of it (with `options` added). */
async function openClient(options: Partial<AkashGenClientOptions> = {}) {
  const gateway = await harness.openGateway()
  return { gateway, client: createAkashGenClient({ url: gateway.url, ...options }) }
}

describe('jobEvents', () => {
  it('yields queued, running (with the worker) and succeeded (with the image URL), then completes', async () => {
    resetEmulator(harness.emulator, { runMs: 300 })
    const { gateway, client } = await openClient()
    const prompt = `a windmill ${randomUUID()}`
    const { jobId } = await client.generate.mutate({ prompt })

    const seen = await subscribe(client, { jobId })
    expect(seen.error).toBeUndefined()
    expect(seen.completed).toBe(true)
    const ids = seen.events.map((event) => Number(event.id))
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as number))).toBe(true)
    const types = seen.events.map((event) => event.data.type)
    expect(types[0]).toBe('queued')
    expect(types.at(-1)).toBe('succeeded')
    expect(types.filter((type) => isFinalStatus(type))).toEqual(['succeeded'])
    for (const { data } of seen.events) expect(data.job).toMatchObject({ jobId, status: data.type })
    const running = seen.events.find((event) => event.data.type === 'running')
    expect(running?.data.job.worker?.name).toMatch(/^akash-worker-\d+$/)
    expect(running?.data.job.worker?.city).not.toBe('')

    const last = seen.events.at(-1)?.data.job
    expect(new Date(last?.finishedAt ?? '').toISOString()).toBe(last?.finishedAt)
    const bytes = Buffer.from(await (await fetch(last?.imageUrl ?? '')).arrayBuffer())
    const expected = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, prompt))
    expect(bytes.equals(expected.bytes)).toBe(true)
    expect(new URL(last?.imageUrl ?? '').origin).toBe(gateway.url)
  })

  it('carries the same events as the REST stream, with the same ids', async () => {
    const { gateway, client } = await openClient()
    const { jobId } = await client.generate.mutate({ prompt: 'two surfaces' })
    const seen = await subscribe(client, { jobId })
    const rest = await (await fetch(`${gateway.url}/api/jobs/${jobId}/events`)).text()
    const restEvents = [...rest.matchAll(/^id: (\d+)\nevent: (\w+)\ndata: (.*)$/gm)]
    expect(restEvents.map(([, id, type]) => `${id}:${type}`)).toEqual(summary(seen))
    expect(restEvents.map(([, , , data]) => JSON.parse(data ?? ''))).toEqual(seen.events.map((e) => e.data))
  })

  describe('resuming with lastEventId', () => {
    it('gets exactly the events after the given id of a finished job', async () => {
      resetEmulator(harness.emulator, { runMs: 200 })
      const { client } = await openClient()
      const { jobId } = await client.generate.mutate({ prompt: 'resume a finished job' })
      const all = await subscribe(client, { jobId })
      expect(all.events.length).toBeGreaterThanOrEqual(3)

      const resumed = await subscribe(client, { jobId, lastEventId: all.events[1]?.id })
      expect(resumed.completed).toBe(true)
      expect(summary(resumed)).toEqual(summary(all).slice(2))
      expect(resumed.events.map((e) => e.data)).toEqual(all.events.slice(2).map((e) => e.data))
      const afterLast = await subscribe(client, { jobId, lastEventId: all.events.at(-1)?.id })
      expect(afterLast).toMatchObject({ completed: true, events: [] })
    })

    it('gets exactly what a subscriber that left a live job missed', async () => {
      resetEmulator(harness.emulator, { runMs: 400 })
      const { client } = await openClient()
      const { jobId } = await client.generate.mutate({ prompt: 'resume a live job' })
      const first = await subscribe(client, { jobId }, 1)
      expect(first.completed).toBe(false)
      const rest = await subscribe(client, { jobId, lastEventId: first.events[0]?.id })
      expect(rest.completed).toBe(true)
      const all = await subscribe(client, { jobId })
      expect([...summary(first), ...summary(rest)]).toEqual(summary(all))
      expect(all.events.at(-1)?.data.type).toBe('succeeded')
    })
  })

  describe('errors', () => {
    it('fails with NOT_FOUND for a job the gateway never issued, without any event', async () => {
      const { client } = await openClient()
      const seen = await subscribe(client, { jobId: randomUUID() })
      expect(seen.events).toEqual([])
      expect(seen.error).toBeInstanceOf(TRPCClientError)
      expect(seen.error?.data).toMatchObject({ code: 'NOT_FOUND', errorCode: 'NOT_FOUND', retryable: false })
    })

    it('fails with BAD_REQUEST for a lastEventId that is not an event id', async () => {
      const { client } = await openClient()
      const { jobId } = await client.generate.mutate({ prompt: 'bad resume' })
      const seen = await subscribe(client, { jobId, lastEventId: 'latest' })
      expect(seen.error?.data).toMatchObject({ code: 'BAD_REQUEST', errorCode: 'INVALID_REQUEST' })
    })
  })

  it('sends the client headers and uses its fetch in Node (through the eventsource package)', async () => {
    const requests: { url: string; key: string | null }[] = []
    const { client } = await openClient({
      headers: () => ({ 'x-api-key': 'k-123' }),
      fetch: (input, init) => {
        requests.push({ url: String(input), key: new Headers(init?.headers).get('x-api-key') })
        return fetch(input, init)
      },
    })
    const { jobId } = await client.generate.mutate({ prompt: 'with headers' })
    requests.length = 0
    expect((await subscribe(client, { jobId })).completed).toBe(true)
    expect(requests).toHaveLength(1)
    expect(new URL(requests[0]?.url ?? '').pathname).toBe('/trpc/jobEvents')
    expect(requests[0]?.key).toBe('k-123')
  })
})
