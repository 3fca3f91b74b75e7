/** The health report of `GET /health` and the tRPC `health` query. */
import { z } from 'zod'

/** Where jobs live, and whether it answers: `redis` is shared by every replica of a deployment. */
export const StoreHealth = z.object({
  kind: z.enum(['memory', 'redis']),
  state: z.enum(['up', 'down']),
  /** Replicas seen alive in the last few seconds (Redis only). */
  replicas: z.number().int().optional(),
})
export type StoreHealth = z.infer<typeof StoreHealth>

/**
 * Whether the upstream answers this replica, from its circuit breaker: `down` while the breaker is open (its
 * last few requests all failed with a network error, a timeout or a 5xx) and cooling down, `up` when the newest
 * request got an answer, `unknown` before any, after too few failures, or once a probe may go.
 */
export const UpstreamState = z.enum(['up', 'down', 'unknown'])
export type UpstreamState = z.infer<typeof UpstreamState>

/** `status` is `degraded` and `ready` false while the job store is down; the counts are absent then. */
export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  ready: z.boolean(),
  version: z.string(),
  upstream: z.string(),
  uptimeS: z.number(),
  store: StoreHealth,
  slots: z.object({ inUse: z.number().int(), max: z.number().int() }).optional(),
  queue: z.object({ length: z.number().int(), max: z.number().int() }).optional(),
  jobs: z.object({ retained: z.number().int() }).optional(),
  upstreamState: UpstreamState.optional(),
})
export type Health = z.infer<typeof Health>

/** `GET /ready`: whether this replica should get traffic now, and if not, why (one reason per problem). */
export const Readiness = z.object({
  ready: z.boolean(),
  reasons: z.array(z.string()),
})
export type Readiness = z.infer<typeof Readiness>
