/** The Redis store's compare-and-set: writers on two replicas racing on one record never lose an update. */
import { randomUUID } from 'node:crypto'
import { GenerateInput } from '@akashgen/contract'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { JobRecord } from '../../server/jobs/job-record.ts'
import { RedisJobStore } from '../../server/jobs/redis/redis-store.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'

const connections: Redis[] = []
let prefix = ''
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.disconnect()
  await dropPrefix(REDIS_URL, prefix)
})

/** A store on connections of its own, as one replica has. */
function replicaStore(): RedisJobStore {
  const [commands, events] = [new Redis(REDIS_URL), new Redis(REDIS_URL)]
  connections.push(commands, events)
  const options = {
    prefix,
    replicaId: randomUUID(),
    liveReplicas: async () => [],
    retentionMs: 60_000,
    jobTimeoutMs: 60_000,
  }
  return new RedisJobStore(commands, events, options, pino({ level: 'silent' }))
}

describe('RedisJobStore.update on two replicas at once', () => {
  beforeAll(requireRedis)

  it('50 increments from each of two stores all land', async () => {
    prefix = freshPrefix()
    const [a, b] = [replicaStore(), replicaStore()]
    const job: JobRecord = {
      id: randomUUID(),
      request: GenerateInput.parse({ prompt: 'written twice at once' }),
      status: 'queued',
      queuePosition: 0,
      worker: null,
      createdAt: Date.now(),
      events: [],
    }
    await a.create(job)
    const increment = (store: RedisJobStore) =>
      store.update(job.id, (current) => {
        current.queuePosition += 1
        return true
      })
    // Each read-modify-write reads, then writes: without the version check, one overwrites the other's.
    await Promise.all(Array.from({ length: 50 }, () => [increment(a), increment(b)]).flat())
    expect((await b.get(job.id))?.queuePosition).toBe(100)
  })
})
