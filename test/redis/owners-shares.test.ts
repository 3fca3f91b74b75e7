import { Redis } from 'ioredis'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createAkashGenClient } from '../../client/index.ts'
import { ApiKeys } from '../../server/http/security/api-keys.ts'
import { resetEmulator } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { finalStatus, outcomeOf } from '../support/outcomes.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

const harness = useGatewayHarness()

const KEY_A = 'redis-key-a-0123456789abcdef'
const KEY_B = 'redis-key-b-fedcba9876543210'
/** How the gateway names key A in Redis: its digest, never the key. */
const CLIENT_A = new ApiKeys([KEY_A]).verify([KEY_A]) ?? ''

describe('two gateways on one Redis', () => {
  let prefix = ''
  beforeAll(requireRedis)
  beforeEach(() => {
    prefix = freshPrefix()
  })
  afterEach(() => dropPrefix(REDIS_URL, prefix))

  /** Two gateways sharing this test's prefix, and clients of each for both keys. */
  async function replicas(env: Record<string, string> = {}) {
    const shared = {
      REDIS_URL,
      AKASHGEN_REDIS_PREFIX: prefix,
      AKASHGEN_REDIS_LOCK_MS: '1000',
      AKASHGEN_API_KEYS: `${KEY_A},${KEY_B}`,
      ...env,
    }
    const gateways = [await harness.openGateway(shared), await harness.openGateway(shared)] as const
    const client = (gateway: TestGateway, apiKey: string) =>
      createAkashGenClient({ url: gateway.url, apiKey })
    return { gateways, client }
  }

  it("key B gets 404 for key A's job through the other replica too, and cancels nothing", async () => {
    resetEmulator(harness.emulator, { runMs: 600 })
    const { gateways, client } = await replicas()
    const [one, two] = gateways
    const { jobId } = await client(one, KEY_A).generate.mutate({ prompt: "A's, on replica one" })

    const view = await fetch(`${two.url}/api/jobs/${jobId}`, { headers: { 'x-api-key': KEY_B } })
    expect(view.status).toBe(404)
    expect(await view.json()).toMatchObject({ code: 'NOT_FOUND' })
    const cancel = await fetch(`${two.url}/api/jobs/${jobId}`, {
      method: 'DELETE',
      headers: { 'x-api-key': KEY_B },
    })
    expect(cancel.status).toBe(404)
    expect(await outcomeOf(client(two, KEY_B).cancel.mutate({ jobId }))).toBe('NOT_FOUND')

    expect(await finalStatus(client(two, KEY_A), jobId)).toBe('succeeded')
    expect(
      (await fetch(`${two.url}/api/jobs/${jobId}/image`, { headers: { 'x-api-key': KEY_A } })).status,
    ).toBe(200)
  })

  it("counts a key's jobs on every replica against one share, and gives it back as they end", async () => {
    resetEmulator(harness.emulator, { stuckWaiting: true })
    const { gateways, client } = await replicas({ AKASHGEN_MAX_JOBS_PER_CLIENT: '2' })
    const [one, two] = gateways
    const first = await client(one, KEY_A).generate.mutate({ prompt: 'on one' })
    await client(two, KEY_A).generate.mutate({ prompt: 'on two' })
    expect(await outcomeOf(client(one, KEY_A).generate.mutate({ prompt: 'third' }))).toBe('CLIENT_LIMIT')
    expect(await outcomeOf(client(two, KEY_A).generate.mutate({ prompt: 'third' }))).toBe('CLIENT_LIMIT')
    expect(await outcomeOf(client(two, KEY_B).generate.mutate({ prompt: "B's" }))).toBe('accepted')

    // Cancelled through the other replica: the place comes back for the whole deployment.
    await client(two, KEY_A).cancel.mutate({ jobId: first.jobId })
    expect(await outcomeOf(client(one, KEY_A).generate.mutate({ prompt: 'third, now' }))).toBe('accepted')
  })

  it('recovers what a replica that died never gave back: ended jobs and its streams', async () => {
    resetEmulator(harness.emulator, { runMs: 5000, workers: 64 })
    const { gateways, client } = await replicas({
      AKASHGEN_MAX_JOBS_PER_CLIENT: '1',
      AKASHGEN_MAX_STREAMS_PER_CLIENT: '1',
    })
    const [one] = gateways
    const a = client(one, KEY_A)
    const { jobId } = await a.generate.mutate({ prompt: 'ends' })
    await a.cancel.mutate({ jobId })
    const redis = new Redis(REDIS_URL)
    try {
      // As if the replica that ended the job died before releasing it, and one died with a stream open.
      await redis.zadd(`${prefix}:client-jobs:${CLIENT_A}`, Date.now() + 60_000, jobId)
      await redis.hset(`${prefix}:client-streams:${CLIENT_A}`, 'a-replica-that-died', 5)
    } finally {
      redis.disconnect()
    }
    const next = await a.generate.mutate({ prompt: 'next' })
    const stream = await fetch(`${one.url}/api/jobs/${next.jobId}/events`, {
      headers: { 'x-api-key': KEY_A },
    })
    expect(stream.status).toBe(200)
    await stream.body?.cancel()
  })

  it("caps a key's event streams across replicas", async () => {
    resetEmulator(harness.emulator, { runMs: 5000, workers: 64 })
    const { gateways, client } = await replicas({ AKASHGEN_MAX_STREAMS_PER_CLIENT: '1' })
    const [one, two] = gateways
    const { jobId } = await client(one, KEY_A).generate.mutate({ prompt: 'watched twice' })
    const open = (gateway: TestGateway, signal?: AbortSignal) =>
      fetch(`${gateway.url}/api/jobs/${jobId}/events`, {
        headers: { authorization: `Bearer ${KEY_A}` },
        ...(signal ? { signal } : {}),
      })
    const first = new AbortController()
    expect((await open(one, first.signal)).status).toBe(200)
    const refused = await open(two)
    expect(refused.status).toBe(429)
    expect(await refused.json()).toMatchObject({
      code: 'CLIENT_LIMIT',
      details: { limit: 'AKASHGEN_MAX_STREAMS_PER_CLIENT' },
    })
    first.abort()
    await vi.waitFor(async () => {
      const again = await open(two)
      expect(again.status).toBe(200)
      await again.body?.cancel()
    })
  })
})
