/** Redis connections for the shared engine: fail fast while Redis is away, reconnect with backoff, report state. */
import { Redis, type RedisOptions } from 'ioredis'
import type { Logger } from 'pino'
import { GatewayError } from '../../errors.ts'

/** How long one Redis command may take before the caller gets STORE_UNAVAILABLE instead of a hang. */
const COMMAND_TIMEOUT_MS = 2000

/** Reconnect delays: quick at first, then every 2 s, for as long as Redis is away. */
export const reconnectDelayMs = (attempt: number): number => Math.min(2000, 50 * 2 ** Math.min(attempt, 6))

/** Options of every connection that serves requests: no offline queue, so an outage answers at once. */
function commandOptions(): RedisOptions {
  return {
    enableOfflineQueue: false,
    // Commands issued in the same tick go out in one write: a job's few commands cost one syscall, not each.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: reconnectDelayMs,
    // The first connection may fail too (Redis starting after us): keep trying rather than give up.
    lazyConnect: false,
  }
}

/** Opens a connection to `url` whose state changes are logged once each. */
export function connect(url: string, name: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { ...commandOptions(), connectionName: name, ...options })
  let down = false
  redis.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis connection is back')
    down = false
  })
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ redis: name, err: error.message }, 'redis connection lost; retrying')
    down = true
  })
  return redis
}

/** Waits until `redis` is ready, or throws STORE_UNAVAILABLE after `timeoutMs`. */
export async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady)
      reject(unavailable(new Error(`no answer from Redis within ${timeoutMs} ms`)))
    }, timeoutMs)
    const onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    redis.once('ready', onReady)
  })
}

/** STORE_UNAVAILABLE for a failed Redis call: the job store can not be reached now; retry later. */
function unavailable(cause: unknown): GatewayError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new GatewayError('STORE_UNAVAILABLE', `the job store (Redis) is unavailable: ${reason}`, {
    cause,
    retryAfterS: 2,
  })
}

/** Runs a Redis call, turning connection failures and timeouts into STORE_UNAVAILABLE. */
export async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw error instanceof GatewayError ? error : unavailable(error)
  }
}
