/** Idempotency-Key across two gateways on one Redis: one key, one upstream job, whichever replica is asked. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

const harness = useGatewayHarness()
const prefixes: string[] = []
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await dropPrefix(REDIS_URL, prefix)
})

/** Two gateways sharing a fresh prefix on the test Redis. */
async function twoReplicas() {
  const prefix = freshPrefix()
  prefixes.push(prefix)
  const env = { REDIS_URL: REDIS_URL, AKASHGEN_REDIS_PREFIX: prefix }
  return Promise.all([harness.openGateway(env), harness.openGateway(env)])
}

const generate = (url: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('Idempotency-Key shared by two replicas', () => {
  beforeAll(requireRedis)
  it('gives requests racing on both replicas one job and one upstream submission', async () => {
    const [a, b] = await twoReplicas()
    const headers = { 'idempotency-key': `race-${crypto.randomUUID()}` }
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => generate((i % 2 ? a : b).url, { prompt: 'shared race' }, headers)),
    )
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200))
    expect(new Set(answers.map((answer) => answer.headers.get('x-job-id'))).size).toBe(1)
    expect(harness.emulator.counters.submittedPrompts).toEqual(['shared race'])
  })

  it('refuses another body under the key on the other replica with 409', async () => {
    const [a, b] = await twoReplicas()
    const headers = { 'idempotency-key': `conflict-${crypto.randomUUID()}` }
    expect((await generate(a.url, { prompt: 'first' }, headers)).status).toBe(200)
    const other = await generate(b.url, { prompt: 'second' }, headers)
    expect(other.status).toBe(409)
    expect(await other.json()).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' })
    const replay = await generate(b.url, { prompt: 'first' }, headers)
    expect(replay.status).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(harness.emulator.counters.submissions).toBe(1)
  })

  it('stores only hashes: neither the key nor the credentials appear in Redis', async () => {
    const [a] = await twoReplicas()
    const secret = `visible-key-${crypto.randomUUID()}`
    await generate(a.url, { prompt: 'hashed' }, { 'idempotency-key': secret, authorization: 'Bearer s3cr3t' })
    const { Redis } = await import('ioredis')
    const redis = new Redis(REDIS_URL)
    try {
      const keys = await redis.keys(`${prefixes.at(-1)}:idempotency:*`)
      expect(keys).toHaveLength(1)
      const stored = `${keys[0]} ${await redis.get(keys[0] as string)}`
      expect(stored).not.toContain(secret)
      expect(stored).not.toContain('s3cr3t')
      expect(await redis.pttl(keys[0] as string)).toBeGreaterThan(23 * 3600 * 1000)
    } finally {
      redis.disconnect()
    }
  })
})
