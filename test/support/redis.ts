/** Redis for tests: the URL from REDIS_URL (the Redis suites run only with it), fresh key prefixes, cleanup. */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'

/** The Redis the Redis suites use; unset means those suites are skipped (and say why). */
export const REDIS_URL = process.env.REDIS_URL

/** Why the Redis suites did not run, printed once per suite file. */
export function explainSkip(suite: string): void {
  if (!REDIS_URL)
    console.warn(`${suite}: skipped because REDIS_URL is not set (e.g. REDIS_URL=redis://127.0.0.1:6379)`)
}

/** A key prefix no other test uses, so tests never see each other's jobs. */
export const freshPrefix = (): string => `akashgen-test-${randomUUID().slice(0, 8)}`

/** Deletes every key under `prefix` (records, queue, replicas). */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}
