/** Redis for tests: the URL the global setup provides, fresh key prefixes, cleanup, and a redis-server of a test's own. */

import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { inject } from 'vitest'
import { dropPrefix as dropKeys } from '../../server/jobs/redis/drop-prefix.ts'

/** The Redis the Redis suites use (see redis-global-setup.ts); empty when the machine has none. */
export const REDIS_URL: string = inject('redisUrl')

/** Fails the Redis suites, saying how to get Redis, when there is none (they are never skipped). */
export function requireRedis(): void {
  if (!REDIS_URL)
    throw new Error(
      'the Redis suites need Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379), or install redis-server ' +
        '(apt-get install -y redis-server) and npm test starts its own',
    )
}

/** A key prefix no other test uses, so tests never see each other's jobs. */
export const freshPrefix = (): string => `akashgen-test-${randomUUID().slice(0, 8)}`

/** Deletes every key under `prefix` (records, queue, replicas). */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url)
  try {
    await dropKeys(redis, prefix)
  } finally {
    redis.disconnect()
  }
}

export { type OwnRedis, startOwnRedis } from './own-redis.ts'
