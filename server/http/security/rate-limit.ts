/** Requests per caller per window, counted by @fastify/rate-limit's stores: in memory, or in Redis when shared. */
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import { GatewayError } from '../../errors.ts'
import { AUTH_FAILURE_WINDOW_MS, AuthFailures } from './auth-failures.ts'

/** How long start-up waits for the rate-limit connection before it goes on (counting then fails open). */
const REDIS_START_MS = 2000

/** Counts requests of one caller; `consume` throws RATE_LIMITED once the window's budget is spent. */
export interface RateLimiter {
  /**
   * Counts `weight` requests (a tRPC batch counts each call) for `identity` (a key's digest, else the IP),
   * sets the rate-limit headers on `reply`, and throws RATE_LIMITED with `retryAfterS` when over the limit.
   */
  consume(
    request: FastifyRequest,
    reply: FastifyReply,
    identity: string | undefined,
    weight: number,
  ): Promise<void>
}

type Limit = ReturnType<FastifyInstance['createRateLimit']>
type Counted = Extract<Awaited<ReturnType<Limit>>, { isAllowed: false }>

/** The two limiters; either is undefined when its variable is 0. */
export interface RateLimiters {
  requests: RateLimiter | undefined
  authFailures: AuthFailures | undefined
}

/**
 * Registers the plugin with no route hooks of its own (`global: false`): the gateway decides what counts and
 * how much. With `REDIS_URL` the counters live in Redis, shared by every replica; a Redis outage does not stop
 * requests: commands fail at once (no offline queue, 2 s command timeout) and the limiter lets them through.
 */
export async function createRateLimiters(
  app: FastifyInstance,
  config: Config,
  logger: Logger,
): Promise<RateLimiters> {
  const max = config.AKASHGEN_RATE_LIMIT
  const failures = config.AKASHGEN_AUTH_FAILURES_PER_MINUTE
  if (max === 0 && failures === 0) return { requests: undefined, authFailures: undefined }
  const identities = new WeakMap<FastifyRequest, string>()
  // ioredis is loaded only when REDIS_URL is set (the memory-mode gateway never needs it).
  const redis = config.REDIS_URL ? await connectShared(config.REDIS_URL, logger) : undefined
  if (redis) app.addHook('onClose', async () => redis.disconnect())
  await app.register(fastifyRateLimit, {
    global: false,
    max: Math.max(1, max),
    timeWindow: config.AKASHGEN_RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request) => identities.get(request) ?? `ip:${normalizeIP(request.ip)}`,
    skipOnError: true,
    ...(redis ? { redis, nameSpace: `${config.AKASHGEN_REDIS_PREFIX}:rate-limit:` } : {}),
  })
  const authFailures =
    failures > 0
      ? new AuthFailures(
          app.createRateLimit({
            max: failures,
            timeWindow: AUTH_FAILURE_WINDOW_MS,
            keyGenerator: (request) => `auth-failures:ip:${normalizeIP(request.ip)}`,
          }),
          failures,
        )
      : undefined
  return { requests: max > 0 ? requestLimiter(app, config, identities) : undefined, authFailures }
}

/** The counters' own connection; start-up waits for it at most REDIS_START_MS, then goes on failing open. */
async function connectShared(url: string, logger: Logger) {
  const { connect, whenReady } = await import('../../jobs/redis/connection.ts')
  const redis = connect(url, 'akashgen-rate-limit', logger)
  await whenReady(redis, REDIS_START_MS).catch(() =>
    logger.warn('rate limits are not counted until Redis answers'),
  )
  return redis
}

/** The per-caller request budget of AKASHGEN_RATE_LIMIT. */
function requestLimiter(
  app: FastifyInstance,
  config: Config,
  identities: WeakMap<FastifyRequest, string>,
): RateLimiter {
  const max = config.AKASHGEN_RATE_LIMIT
  const limit = app.createRateLimit()
  const windowS = Math.ceil(config.AKASHGEN_RATE_LIMIT_WINDOW_MS / 1000)
  return {
    async consume(request, reply, identity, weight) {
      if (identity) identities.set(request, identity)
      const outcomes = await Promise.all(Array.from({ length: Math.max(1, weight) }, () => limit(request)))
      // No allow list is configured, so every call was counted; the last one counted has the fewest left.
      const counted = outcomes.filter((outcome): outcome is Counted => !outcome.isAllowed)
      const last = counted.reduce((a, b) => (b.remaining < a.remaining ? b : a))
      setHeaders(reply, max, windowS, last)
      if (!counted.some((outcome) => outcome.isExceeded)) return
      const retryAfterS = Math.max(1, last.ttlInSeconds)
      // Set here too: a tRPC error does not pass through the REST error handler that sets it from the error.
      reply.header('retry-after', String(retryAfterS))
      throw new GatewayError('RATE_LIMITED', `rate limit reached: ${max} requests per ${windowS} s`, {
        details: { limit: max, windowS, retryAfterS },
        retryAfterS,
      })
    },
  }
}

/**
 * `RateLimit-Policy` and `RateLimit` as the IETF draft (draft-ietf-httpapi-ratelimit-headers) now spells them,
 * and the older `RateLimit-Limit`/`-Remaining`/`-Reset` that @fastify/rate-limit's `enableDraftSpec` sends.
 */
function setHeaders(reply: FastifyReply, max: number, windowS: number, outcome: Counted): void {
  const remaining = outcome.remaining
  const resetS = Math.max(0, outcome.ttlInSeconds)
  reply
    .header('ratelimit-policy', `"default";q=${max};w=${windowS}`)
    .header('ratelimit', `"default";r=${remaining};t=${resetS}`)
    .header('ratelimit-limit', String(max))
    .header('ratelimit-remaining', String(remaining))
    .header('ratelimit-reset', String(resetS))
}
