/** Upstream strings are bounded before the Redis record is written: a megabyte failure reason stays out of Redis. */
import { Redis } from 'ioredis'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MAX_FAILURE_REASON_CHARS, TRUNCATION_MARKER } from '../../server/upstream/limits.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

const harness = useGatewayHarness()
let prefix = ''
beforeAll(() => requireRedis())
afterEach(() => dropPrefix(REDIS_URL, prefix))

describe('a job record on Redis', () => {
  it('keeps a half-megabyte failure reason cut to its limit, saying so', async () => {
    prefix = freshPrefix()
    harness.emulator.configure({ failRate: 1, failureReason: 'CUDA error ', longStringChars: 500_000 })
    const gateway = await harness.openGateway({ REDIS_URL, AKASHGEN_REDIS_PREFIX: prefix })
    const response = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'fails at length, on Redis' }),
    })
    expect(response.status).toBe(502)
    const jobId = response.headers.get('x-job-id')
    const redis = new Redis(REDIS_URL)
    try {
      const stored = await redis.hget(`${prefix}:job:${jobId}`, 'json')
      expect(stored).not.toBeNull()
      expect(stored?.length).toBeLessThan(8 * MAX_FAILURE_REASON_CHARS)
      expect(stored).toContain(TRUNCATION_MARKER)
    } finally {
      redis.disconnect()
    }
  })
})
