/** Several gateway processes on one Redis: shared jobs and events, one slot limit, nothing lost when one dies. */
import { createAkashGenClient, type Job } from '@akashgen/client'
import type { Emulator } from '@akashgen/emulator'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { resetEmulator, servedImage, startTestEmulator, upstreamJobFor } from '../support/emulator.ts'
import { type RunningProcess, runGateway, stopAll } from '../support/process.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'
import { fetchSse } from '../support/sse.ts'

type Gateway = RunningProcess & { url: string }

describe('two gateway processes on one Redis', () => {
  const redisUrl = REDIS_URL
  let emulator: Emulator
  let prefix = ''
  const running: Gateway[] = []

  beforeAll(async () => {
    requireRedis()
    emulator = await startTestEmulator()
  })
  afterAll(() => emulator.close())
  afterEach(async () => {
    await stopAll(running)
    await dropPrefix(redisUrl, prefix)
  })

  /** A gateway process sharing this test's Redis prefix. */
  const replica = async (env: Record<string, string> = {}) => {
    const gateway = await runGateway({
      AKASHGEN_UPSTREAM_URL: emulator.url,
      AKASHGEN_POLL_INTERVAL_MS: '20',
      REDIS_URL: redisUrl,
      AKASHGEN_REDIS_PREFIX: prefix,
      AKASHGEN_REDIS_LOCK_MS: '1000',
      AKASHGEN_MAX_CONCURRENT: '3',
      // Split between the replicas; enough for each to see a 300 ms run.
      AKASHGEN_STATUS_RPS: '40',
      ...env,
    })
    running.push(gateway)
    return gateway
  }
  const setup = async (knobs: Parameters<typeof resetEmulator>[1] = {}) => {
    prefix = freshPrefix()
    resetEmulator(emulator, knobs)
  }
  const finalView = (gateway: Gateway, jobId: string) =>
    vi.waitFor(
      async () => {
        const job = await createAkashGenClient({ url: gateway.url }).jobStatus.query({ jobId })
        expect(['succeeded', 'failed', 'cancelled', 'timed_out']).toContain(job.status)
        return job
      },
      { timeout: 20_000, interval: 100 },
    )

  it('a job submitted through A is followed, resumed and downloaded through B', async () => {
    await setup({ queueMs: 0, runMs: 400 })
    const [a, b] = await Promise.all([replica(), replica()])
    const viaA = createAkashGenClient({ url: a.url })
    const viaB = createAkashGenClient({ url: b.url })
    const { jobId } = await viaA.generate.mutate({ prompt: 'seen from the other replica' })

    const seen: Job[] = []
    const ids: string[] = []
    for await (const event of viaB.jobEvents.subscribe({ jobId })) {
      seen.push(event.data.job)
      ids.push(event.id)
      if (event.data.job.status === 'succeeded') break
    }
    expect(seen.map((job) => job.status)).toContain('running')
    expect(seen.at(-1)?.worker?.name).toBeTruthy()
    expect((await viaB.jobStatus.query({ jobId })).status).toBe('succeeded')

    // Resumed on A after the second event B delivered: exactly the rest, with the same ids.
    const resumeAfter = ids[1] ?? ''
    const rest = await fetchSse(`${a.url}/api/jobs/${jobId}/events?lastEventId=${resumeAfter}`)
    expect(rest.messages.map((message) => message.id)).toEqual(ids.slice(2))

    const image = await fetch(`${b.url}/api/jobs/${jobId}/image`)
    const served = await servedImage(emulator, upstreamJobFor(emulator, 'seen from the other replica'))
    expect(image.status).toBe(200)
    expect(Buffer.from(await image.arrayBuffer()).equals(served.bytes)).toBe(true)
    expect(emulator.counters.submissions).toBe(1)
  })

  it("a sync caller's hang-up on A leaves a job that an event stream on B still follows", async () => {
    await setup({ queueMs: 0, runMs: 1500 })
    const [a, b] = await Promise.all([replica(), replica()])
    const caller = new AbortController()
    const call = fetch(`${a.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'watched from B' }),
      signal: caller.signal,
    }).catch(() => 'hung up')
    // The sync route answers only once the job is done; its id is in A's "job accepted" line before that.
    const [, jobId = ''] = await a.waitFor(/"jobId":"([0-9a-f-]{36})","place"/)
    const statuses: string[] = []
    const stream = fetchSse(`${b.url}/api/jobs/${jobId}/events`, {}, (message) => {
      statuses.push(message.event)
      return undefined
    })
    await vi.waitFor(() => expect(statuses).toContain('running'), { timeout: 10_000 })
    caller.abort()
    expect(await call).toBe('hung up')
    await a.waitFor(/caller hung up/)
    const ended = await stream
    expect(ended.ended).toBe(true)
    expect(statuses.at(-1)).toBe('succeeded')
    expect(emulator.counters.submittedPrompts).toEqual(['watched from B'])
  })

  it('holds AKASHGEN_MAX_CONCURRENT for the whole deployment under load spread over both', async () => {
    await setup({ queueMs: 0, runMs: 150 })
    const gateways = await Promise.all([replica(), replica()])
    const prompts = Array.from({ length: 14 }, (_, i) => `load ${i}`)
    const answers = await Promise.all(
      prompts.map((prompt, i) =>
        fetch(`${gateways[i % 2]?.url}/api/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prompt }),
        }),
      ),
    )
    expect(answers.map((answer) => answer.status)).toEqual(prompts.map(() => 200))
    expect(emulator.counters.maxInFlight).toBe(3)
    expect([...emulator.counters.submittedPrompts].sort()).toEqual([...prompts].sort())
    const health = await (await fetch(`${gateways[1]?.url}/health`)).json()
    expect(health).toMatchObject({ ready: true, store: { kind: 'redis', state: 'up', replicas: 2 } })
  })

  it('when A is killed mid-job, B finishes every job A accepted, each submitted upstream exactly once', async () => {
    await setup({ queueMs: 0, runMs: 1500 })
    const a = await replica()
    const viaA = createAkashGenClient({ url: a.url })
    const prompts = ['first', 'second', 'third', 'fourth', 'fifth'].map((word) => `${word} before the crash`)
    const jobIds: string[] = []
    for (const prompt of prompts) jobIds.push((await viaA.generate.mutate({ prompt })).jobId)
    // A alone runs the first three upstream; two wait in the shared line.
    await vi.waitFor(() => expect(emulator.counters.submissions).toBe(3), { timeout: 10_000 })
    const b = await replica()
    a.child.kill('SIGKILL')
    await a.exited

    const finals = await Promise.all(jobIds.map((jobId) => finalView(b, jobId)))
    expect(finals.map((job) => job.status)).toEqual(prompts.map(() => 'succeeded'))
    expect([...emulator.counters.submittedPrompts].sort()).toEqual([...prompts].sort())
    const image = await fetch(`${b.url}/api/jobs/${jobIds[0]}/image`)
    expect(image.status).toBe(200)
  })
})
