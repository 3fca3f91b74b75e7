/** Job records in Redis, shared by every replica: atomic updates, changes and stop requests over pub/sub. */
import { setTimeout as sleep } from 'node:timers/promises'
import { isFinalStatus } from '@akashgen/contract'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { GatewayError } from '../../errors.ts'
import type { JobRecord } from '../job-record.ts'
import type { JobStore, StoreListener } from '../store.ts'
import { reconnectDelayMs, storeCall } from './connection.ts'
import { decodeError, decodeRecord, encodeError, encodeRecord } from './record-codec.ts'

/**
 * Writes the record only if nobody wrote it since it was read (version check), sets how long it lives, files
 * it by expiry for the sweeper, and tells every replica, all in one step.
 * KEYS: record, index, channel. ARGV: expected version, json, ttl ms, index score, job id.
 */
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if current == false then return -1 end
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) + 1, 'json', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
redis.call('PUBLISH', KEYS[3], ARGV[5] .. ' ' .. ARGV[2])
return 1
`

/**
 * Adds `delta` to this replica's count of a job's followers; a count back at 0 is removed, so a job nobody
 * follows any more leaves no key behind. KEYS: the followers hash. ARGV: replica id, delta, ttl ms.
 */
const FOLLOW = `
local count = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if count <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return count
`

/** The Redis key of a job's record (a hash of its version `v` and its `json`). */
export const jobRecordKey = (prefix: string, jobId: string): string => `${prefix}:job:${jobId}`

/** How long a write keeps trying while Redis is away, before it gives up (the job's own deadline is shorter). */
const WRITE_RETRY_MS = 60_000

/** Settings of the Redis store. */
export interface RedisStoreOptions {
  prefix: string
  /** This replica's id: followers are counted per replica, so a dead replica's never keep a job alive. */
  replicaId: string
  /** Ids of the replicas alive now. */
  liveReplicas(): Promise<string[]>
  retentionMs: number
  jobTimeoutMs: number
}

/** The Redis-backed store; `subscriber` is a connection of its own (a subscribed connection can do nothing else). */
export class RedisJobStore implements JobStore {
  readonly #redis: Redis
  readonly #subscriber: Redis
  readonly #options: RedisStoreOptions
  readonly #logger: Logger
  readonly #listeners: StoreListener[] = []
  readonly #keys: { index: string; changes: string; stops: string }

  constructor(redis: Redis, subscriber: Redis, options: RedisStoreOptions, logger: Logger) {
    this.#redis = redis
    this.#subscriber = subscriber
    this.#options = options
    this.#logger = logger
    const { prefix } = options
    this.#keys = { index: `${prefix}:jobs`, changes: `${prefix}:changes`, stops: `${prefix}:stops` }
    redis.defineCommand('compareAndSetJob', { numberOfKeys: 3, lua: COMPARE_AND_SET })
    redis.defineCommand('followJob', { numberOfKeys: 1, lua: FOLLOW })
    subscriber.on('message', (channel: string, message: string) => this.#onMessage(channel, message))
    let subscribedOnce = false
    // ioredis subscribes again by itself after a reconnect; what was published meanwhile is re-read.
    subscriber.on('ready', () => {
      if (subscribedOnce) for (const listener of this.#listeners) listener.resync()
      subscribedOnce = true
    })
  }

  /** Subscribes to the change and stop channels; resolves once subscribed. */
  async start(): Promise<void> {
    await this.#subscriber.subscribe(this.#keys.changes, this.#keys.stops)
  }

  async create(job: JobRecord): Promise<void> {
    const key = this.#recordKey(job.id)
    await storeCall(() =>
      this.#redis
        .multi()
        .hset(key, 'v', 1, 'json', encodeRecord(job))
        .pexpire(key, this.#liveTtlMs())
        .zadd(this.#keys.index, job.createdAt + this.#liveTtlMs(), job.id)
        .exec(),
    )
  }

  async discard(jobId: string): Promise<void> {
    await storeCall(() =>
      this.#redis.multi().del(this.#recordKey(jobId)).zrem(this.#keys.index, jobId).exec(),
    )
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const json = await storeCall(() => this.#redis.hget(this.#recordKey(jobId), 'json'))
    return json ? decodeRecord(json) : undefined
  }

  async update(jobId: string, mutate: (job: JobRecord) => boolean): Promise<JobRecord | undefined> {
    const giveUpAt = Date.now() + WRITE_RETRY_MS
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.#tryUpdate(jobId, mutate)
        if (outcome !== 'conflict') return outcome
      } catch (error) {
        // Progress and outcomes must land: wait for Redis to come back rather than lose them.
        const outage = error instanceof GatewayError && error.code === 'STORE_UNAVAILABLE'
        if (!outage || Date.now() >= giveUpAt) throw error
        await sleep(reconnectDelayMs(attempt))
      }
    }
  }

  async requestStop(jobId: string, error: GatewayError): Promise<void> {
    const message = JSON.stringify({ jobId, error: encodeError(error) })
    await storeCall(() =>
      this.#redis
        .multi()
        .set(this.#stopKey(jobId), message, 'PX', this.#liveTtlMs(), 'NX')
        .publish(this.#keys.stops, message)
        .exec(),
    )
  }

  async stopRequest(jobId: string): Promise<GatewayError | undefined> {
    const message = await storeCall(() => this.#redis.get(this.#stopKey(jobId)))
    return message ? decodeError(JSON.parse(message).error) : undefined
  }

  async follow(jobId: string, delta: 1 | -1): Promise<void> {
    const redis = this.#redis as Redis & { followJob(...args: (string | number)[]): Promise<number> }
    const { replicaId } = this.#options
    await storeCall(() => redis.followJob(this.#followersKey(jobId), replicaId, delta, this.#liveTtlMs()))
  }

  async followers(jobId: string): Promise<number> {
    const [counts, live] = await Promise.all([
      storeCall(() => this.#redis.hgetall(this.#followersKey(jobId))),
      this.#options.liveReplicas(),
    ])
    const alive = new Set(live)
    return Object.entries(counts).reduce(
      (sum, [replica, count]) => sum + (alive.has(replica) ? Math.max(0, Number(count)) : 0),
      0,
    )
  }

  /** Records not expired yet (the index may still list expired ones until the next sweep). */
  async size(): Promise<number> {
    return storeCall(() => this.#redis.zcount(this.#keys.index, `(${Date.now()}`, '+inf'))
  }

  /** Records expire by themselves (TTL); this only trims the index used for `size()`. */
  async sweep(now: number): Promise<number> {
    return storeCall(() => this.#redis.zremrangebyscore(this.#keys.index, '-inf', now))
  }

  listen(listener: StoreListener): void {
    this.#listeners.push(listener)
  }

  async close(): Promise<void> {
    this.#subscriber.disconnect()
  }

  async #tryUpdate(
    jobId: string,
    mutate: (job: JobRecord) => boolean,
  ): Promise<JobRecord | undefined | 'conflict'> {
    const key = this.#recordKey(jobId)
    const [version, json] = await storeCall(() => this.#redis.hmget(key, 'v', 'json'))
    if (!version || !json) return undefined
    const job = decodeRecord(json)
    if (!mutate(job)) return job
    const final = isFinalStatus(job.status)
    const ttlMs = final ? this.#options.retentionMs : this.#liveTtlMs()
    const expiresAt = (final ? (job.finishedAt ?? Date.now()) : job.createdAt) + ttlMs
    const redis = this.#redis as Redis & {
      compareAndSetJob(...args: (string | number)[]): Promise<number>
    }
    const { index, changes } = this.#keys
    const written = await storeCall(() =>
      redis.compareAndSetJob(key, index, changes, version, encodeRecord(job), ttlMs, expiresAt, jobId),
    )
    if (written === 1) return job
    return written === 0 ? 'conflict' : undefined
  }

  #onMessage(channel: string, message: string): void {
    try {
      if (channel === this.#keys.changes) {
        // "<job id> <record json>": the id is read without parsing the record, which most replicas never need.
        const space = message.indexOf(' ')
        const jobId = message.slice(0, space)
        let job: JobRecord | undefined
        const record = () => {
          job ??= decodeRecord(message.slice(space + 1))
          return job
        }
        for (const listener of this.#listeners) listener.changed(jobId, record)
      } else if (channel === this.#keys.stops) {
        const { jobId, error } = JSON.parse(message)
        for (const listener of this.#listeners) listener.stopRequested(jobId, decodeError(error))
      }
    } catch (error) {
      this.#logger.error({ err: error, channel }, 'unreadable message on a job channel')
    }
  }

  /** A record lives at least until its job's deadline plus retention, even if nobody finishes it. */
  #liveTtlMs(): number {
    return this.#options.jobTimeoutMs + this.#options.retentionMs
  }

  #recordKey(jobId: string): string {
    return jobRecordKey(this.#options.prefix, jobId)
  }

  #followersKey(jobId: string): string {
    return `${this.#options.prefix}:followers:${jobId}`
  }

  #stopKey(jobId: string): string {
    return `${this.#options.prefix}:stop:${jobId}`
  }
}
