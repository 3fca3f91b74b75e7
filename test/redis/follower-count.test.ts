/** Follower counts on Redis: a failed count write never lets a hang-up cancel a job that is still followed. */
import { GenerateInput } from '@akashgen/contract'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { createJobBackend } from '../../server/jobs/backend.ts'
import { ENGINE_DEFAULTS, engineOn } from '../jobs/engine-contract.ts'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

describe('follower counts on Redis', () => {
  // The harness's emulator only: this test drives an engine, not a gateway.
  const harness = useGatewayHarness()
  beforeAll(requireRedis)

  it('a follower whose count write failed does not uncount another follower of the job', async () => {
    resetEmulator(harness.emulator, { runMs: 5000 })
    const prefix = freshPrefix()
    const config = loadConfig({ REDIS_URL, AKASHGEN_REDIS_PREFIX: prefix, AKASHGEN_REDIS_LOCK_MS: '1000' })
    const backend = await createJobBackend(config, pino({ level: 'silent' }), { onReplicas: () => {} })
    const settings = { upstreamUrl: harness.emulator.url, ...ENGINE_DEFAULTS }
    const under = engineOn(settings, { ...backend, onClose: 'handover', close: () => backend.close() })
    const redis = new Redis(REDIS_URL)
    try {
      const { engine } = under
      const job = await engine.submit(GenerateInput.parse({ prompt: 'followed twice' }))
      const followersKey = `${prefix}:followers:${job.id}`

      // A string where the hash belongs: Redis itself refuses the next count write (WRONGTYPE).
      await redis.set(followersKey, 'not a hash')
      const leaveFailed = engine.follow(job.id)
      // Same connection, so this read runs after the failed +1: once it fails too, the +1 has failed.
      await expect(backend.store.followers(job.id)).rejects.toThrow()
      await redis.del(followersKey)

      const leaveCounted = engine.follow(job.id)
      leaveFailed()
      expect(await engine.abandon(job.id, 'the first caller hung up')).toBe(false)
      expect((await engine.require(job.id)).status).not.toBe('cancelled')

      leaveCounted()
      await expect.poll(() => backend.store.followers(job.id)).toBe(0)
      expect(await engine.abandon(job.id, 'both callers hung up')).toBe(true)
    } finally {
      redis.disconnect()
      await under.close()
      await dropPrefix(REDIS_URL, prefix)
    }
  })
})
