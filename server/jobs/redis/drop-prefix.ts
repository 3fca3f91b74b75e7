/** Deletes a deployment's keys: for tests and benchmarks that give each run its own prefix, and for operators. */
import type { Redis } from 'ioredis'

/** Deletes every key under `prefix:` (job records, the queue, replica beats); resolves with how many. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<number> {
  let dropped = 0
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) dropped += await redis.del(...keys)
  } while (cursor !== '0')
  return dropped
}
