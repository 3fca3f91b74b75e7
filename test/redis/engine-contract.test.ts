/** The JobEngine contract against the Redis backend (BullMQ + ioredis) on a real Redis. */
import { pino } from 'pino'
import { describe } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { createJobBackend } from '../../server/jobs/backend.ts'
import { JobEngine } from '../../server/jobs/engine.ts'
import { engineContract, upstreamParts } from '../jobs/engine-contract.ts'
import { dropPrefix, explainSkip, freshPrefix, REDIS_URL } from '../support/redis.ts'

explainSkip('the Redis engine contract')

describe.skipIf(!REDIS_URL)('Redis backend', () => {
  engineContract('Redis store and BullMQ queue', async (settings) => {
    const url = REDIS_URL ?? ''
    const prefix = freshPrefix()
    const { upstream, poller } = upstreamParts(settings.upstreamUrl)
    const logger = pino({ level: 'silent' })
    const config = {
      ...loadConfig({ REDIS_URL: url, AKASHGEN_REDIS_PREFIX: prefix, AKASHGEN_REDIS_LOCK_MS: '1000' }),
      AKASHGEN_MAX_CONCURRENT: settings.maxConcurrent,
      AKASHGEN_MAX_QUEUE: settings.maxQueue,
      AKASHGEN_JOB_TIMEOUT_MS: settings.jobTimeoutMs,
      AKASHGEN_RETENTION_MS: settings.retentionMs,
    }
    const backend = await createJobBackend(config, logger, { onReplicas: () => {} })
    const engine = new JobEngine({
      options: {
        jobTimeoutMs: settings.jobTimeoutMs,
        sweepIntervalMs: settings.sweepIntervalMs,
        imageCacheBytes: 10_000_000,
        retentionMs: settings.retentionMs,
        onClose: 'handover',
      },
      upstream,
      poller,
      store: backend.store,
      queue: backend.queue,
      logger,
    })
    return {
      engine,
      poller,
      async close() {
        await engine.close()
        poller.close()
        await backend.close()
        await dropPrefix(url, prefix)
      },
    }
  })
})
