/** Several replicas on one Redis: where jobs live, how keys are named, how long a replica holds a job. */
import { z } from 'zod'
import { configGroup, intVar, textVar } from './define.ts'

/** The Redis connection, the key prefix and the lock on running jobs. */
export const replicas = configGroup(
  'Redis and replicas',
  'Without `REDIS_URL` jobs live in the process memory (one replica). With it every replica shares the jobs, the queue, the slots and the rate-limit counters.',
  {
    REDIS_URL: textVar(
      z.url({
        protocol: /^rediss?$/,
        error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
      }),
      {
        must: 'a redis:// or rediss:// URL',
        unset: 'in memory',
        meaning: 'Redis to keep jobs in, shared by every replica (a password in it is never printed)',
      },
    ),
    AKASHGEN_REDIS_PREFIX: textVar(z.string().regex(/^[\w.-]{1,64}$/), {
      must: '1-64 letters, digits, ".", "-" or "_"',
      default: 'akashgen',
      meaning: 'prefix of every Redis key: deployments sharing one Redis need different ones',
    }),
    AKASHGEN_REDIS_LOCK_MS: intVar({
      unit: 'milliseconds',
      min: 500,
      max: 600_000,
      default: 30_000,
      meaning: "how long a replica's hold on a running job lasts: a dead replica's jobs resume after it",
    }),
  },
)
