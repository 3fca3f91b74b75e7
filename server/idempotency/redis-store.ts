/** Idempotency-Key reservations in Redis: `SET NX PX` reserves, so two replicas racing on one key never both submit. */
import type { Redis } from 'ioredis'
import { storeCall } from '../jobs/redis/connection.ts'
import type { IdempotencyRecord, IdempotencyStore } from './store.ts'

/** Deletes the key only if it still holds the given pending value. KEYS: key. ARGV: value. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

/** The Redis store, on the job store's command connection (fail-fast: an outage is STORE_UNAVAILABLE). */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: Redis
  readonly #prefix: string

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis
    this.#prefix = `${prefix}:idempotency:`
    redis.defineCommand('releaseIdempotencyKey', { numberOfKeys: 1, lua: RELEASE })
  }

  async reserve(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyRecord | undefined> {
    const pending = encode({ fingerprint, jobIds: null })
    for (;;) {
      const set = await storeCall(() => this.#redis.set(this.#prefix + key, pending, 'PX', ttlMs, 'NX'))
      if (set === 'OK') return undefined
      const held = await storeCall(() => this.#redis.get(this.#prefix + key))
      // Expired between the two calls: try to reserve again.
      if (held !== null) return JSON.parse(held) as IdempotencyRecord
    }
  }

  async complete(key: string, record: IdempotencyRecord, ttlMs: number): Promise<void> {
    await storeCall(() => this.#redis.set(this.#prefix + key, encode(record), 'PX', ttlMs))
  }

  async release(key: string, fingerprint: string): Promise<void> {
    const pending = encode({ fingerprint, jobIds: null })
    await storeCall(() =>
      (
        this.#redis as Redis & { releaseIdempotencyKey(key: string, value: string): Promise<number> }
      ).releaseIdempotencyKey(this.#prefix + key, pending),
    )
  }

  close(): void {}
}

const encode = (record: IdempotencyRecord): string =>
  JSON.stringify({ fingerprint: record.fingerprint, jobIds: record.jobIds })
