/** Fair shares on Redis: every replica counts against the same per-client totals, and a dead one's never stick. */
import { FINAL_STATUSES } from '@akashgen/contract'
import type { Redis } from 'ioredis'
import type { ClientShares } from '../client-shares.ts'
import { storeCall } from './connection.ts'
import { jobRecordKey } from './redis-store.ts'

/**
 * Counts a job against its client unless the client holds `max`: a sorted set of the client's job ids, scored
 * by deadline. Jobs past their deadline are dropped first; at the cap, so are jobs whose record is final or
 * gone (a replica that died after ending a job never released it), so a dead replica leaks nothing.
 * KEYS: the client's set. ARGV: now, max, job id, deadline, ttl ms, record key prefix.
 * The records are read by name (not listed in KEYS): fine on one Redis, as BullMQ's own scripts are.
 */
const TAKE_JOB = `
local final = {${FINAL_STATUSES.map((status) => `['${status}'] = true`).join(', ')}}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local max = tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= max then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local json = redis.call('HGET', ARGV[6] .. id, 'json')
    if not json or final[cjson.decode(json).status] then redis.call('ZREM', KEYS[1], id) end
  end
  if redis.call('ZCARD', KEYS[1]) >= max then return 0 end
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`

/**
 * Opens one more stream of a client on this replica unless the client has `max` open on the live replicas.
 * Each replica writes its own count as it knows it (never an increment), so a write lost in an outage is
 * righted by the next one; counts of replicas that stopped beating are dropped. KEYS: the client's hash
 * (replica id to count). ARGV: this replica's id, max, ttl ms, its streams of the client now, the live ids.
 */
const OPEN_STREAM = `
local live = {}
for i = 5, #ARGV do live[ARGV[i]] = true end
local here = tonumber(ARGV[4])
local open = here
local counts = redis.call('HGETALL', KEYS[1])
for i = 1, #counts, 2 do
  local replica = counts[i]
  if replica ~= ARGV[1] then
    if live[replica] then open = open + tonumber(counts[i + 1]) else redis.call('HDEL', KEYS[1], replica) end
  end
end
if open >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], here + 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`

/** Sets this replica's count of a client's streams (removed at 0). KEYS: the hash. ARGV: replica id, count, ttl ms. */
const SET_STREAMS = `
if tonumber(ARGV[2]) <= 0 then return redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`

/** Settings of the Redis shares. */
export interface RedisSharesOptions {
  prefix: string
  /** This replica's id: streams are counted per replica, so a dead replica's do not count. */
  replicaId: string
  /** Ids of the replicas alive now. */
  liveReplicas(): Promise<string[]>
  /** How long a client's stream counts live without a new stream (a stream ends by its job's deadline). */
  streamTtlMs: number
}

type ShareCommands = Redis & {
  takeClientJob(...args: (string | number)[]): Promise<number>
  openClientStream(...args: (string | number)[]): Promise<number>
  setClientStreams(...args: (string | number)[]): Promise<number>
}

/** The deployment-wide shares, on the job store's command connection (an outage is STORE_UNAVAILABLE). */
export class RedisClientShares implements ClientShares {
  readonly #redis: ShareCommands
  readonly #options: RedisSharesOptions

  constructor(redis: Redis, options: RedisSharesOptions) {
    this.#options = options
    redis.defineCommand('takeClientJob', { numberOfKeys: 1, lua: TAKE_JOB })
    redis.defineCommand('openClientStream', { numberOfKeys: 1, lua: OPEN_STREAM })
    redis.defineCommand('setClientStreams', { numberOfKeys: 1, lua: SET_STREAMS })
    this.#redis = redis as ShareCommands
  }

  async takeJob(client: string, jobId: string, expiresAt: number, max: number): Promise<boolean> {
    const now = Date.now()
    const { prefix } = this.#options
    const ttlMs = Math.max(1, expiresAt - now)
    const taken = await storeCall(() =>
      this.#redis.takeClientJob(
        this.#jobsKey(client),
        now,
        max,
        jobId,
        expiresAt,
        ttlMs,
        jobRecordKey(prefix, ''),
      ),
    )
    return taken === 1
  }

  async releaseJob(client: string, jobId: string): Promise<void> {
    await storeCall(() => this.#redis.zrem(this.#jobsKey(client), jobId))
  }

  async openStream(client: string, max: number, here: number): Promise<boolean> {
    const { replicaId, streamTtlMs } = this.#options
    const live = await this.#options.liveReplicas()
    const key = this.#streamsKey(client)
    const opened = await storeCall(() =>
      this.#redis.openClientStream(key, replicaId, max, streamTtlMs, here, ...live),
    )
    return opened === 1
  }

  async closeStream(client: string, here: number): Promise<void> {
    const { replicaId, streamTtlMs } = this.#options
    await storeCall(() =>
      this.#redis.setClientStreams(this.#streamsKey(client), replicaId, here, streamTtlMs),
    )
  }

  #jobsKey(client: string): string {
    return `${this.#options.prefix}:client-jobs:${client}`
  }

  #streamsKey(client: string): string {
    return `${this.#options.prefix}:client-streams:${client}`
  }
}
