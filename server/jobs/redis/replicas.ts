/** Which replicas are alive: each one beats into a sorted set; the live count splits the upstream budget. */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { storeCall } from './connection.ts'

/** A replica counts as alive this long after its last beat. */
const ALIVE_MS = 3000
const BEAT_MS = 1000

/** This replica's heartbeat, and the number of live replicas as last seen. */
export class Replicas {
  readonly id = randomUUID()
  readonly #redis: Redis
  readonly #key: string
  readonly #onCount: (live: number) => void
  #timer: NodeJS.Timeout | undefined
  #live = 1

  /** `onCount` is called whenever the number of live replicas changes. */
  constructor(redis: Redis, prefix: string, onCount: (live: number) => void) {
    this.#redis = redis
    this.#key = `${prefix}:replicas`
    this.#onCount = onCount
  }

  /** Live replicas (at least this one). */
  get live(): number {
    return this.#live
  }

  /** Ids of the replicas that beat within the last few seconds (this one included). */
  async liveIds(): Promise<string[]> {
    return storeCall(() => this.#redis.zrangebyscore(this.#key, Date.now() - ALIVE_MS, '+inf'))
  }

  /** Beats once now, then every second. */
  async start(): Promise<void> {
    await this.#beat()
    this.#timer = setInterval(() => void this.#beat(), BEAT_MS).unref()
  }

  /** Stops beating and leaves the set, so the others take over its share at once. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    // Best effort: an entry left behind stops counting once its heartbeat is stale.
    await this.#redis.zrem(this.#key, this.id).catch(() => {})
  }

  async #beat(): Promise<void> {
    const now = Date.now()
    try {
      const [, , counted] = (await this.#redis
        .multi()
        .zadd(this.#key, now, this.id)
        .zremrangebyscore(this.#key, '-inf', now - ALIVE_MS)
        .zcard(this.#key)
        .exec()) ?? [
        [null, 0],
        [null, 0],
        [null, 1],
      ]
      const live = Math.max(1, Number(counted?.[1] ?? 1))
      if (live !== this.#live) {
        this.#live = live
        this.#onCount(live)
      }
    } catch {
      // Redis is away: keep the last count; the store reports the outage.
    }
  }
}
