/** The JobEngine contract against the Redis backend (BullMQ + ioredis) on a real Redis. */
import { pino } from 'pino'
import { beforeAll, describe } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { createJobBackend } from '../../server/jobs/backend.ts'
import { engineContract, engineOn } from '../jobs/engine-contract.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

describe('Redis backend', () => {
  beforeAll(requireRedis)
  engineContract('Redis store and BullMQ queue', async (settings) => {
    const url = REDIS_URL
    const prefix = freshPrefix()
    const config = {
      ...loadConfig({ REDIS_URL: url, AKASHGEN_REDIS_PREFIX: prefix, AKASHGEN_REDIS_LOCK_MS: '1000' }),
      AKASHGEN_MAX_CONCURRENT: settings.maxConcurrent,
      AKASHGEN_MAX_QUEUE: settings.maxQueue,
      AKASHGEN_JOB_TIMEOUT_MS: settings.jobTimeoutMs,
      AKASHGEN_RETENTION_MS: settings.retentionMs,
    }
    const backend = await createJobBackend(config, pino({ level: 'silent' }), { onReplicas: () => {} })
    return engineOn(settings, {
      store: backend.store,
      queue: backend.queue,
      shares: backend.shares,
      onClose: 'handover',
      async close() {
        await backend.close()
        await dropPrefix(url, prefix)
      },
    })
  })
})
