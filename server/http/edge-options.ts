/** The Fastify server options the config decides: request timeouts, trusted proxies, the longest URL segment. */
import type { Config } from '../config.ts'
import { procedureNames } from '../trpc/router.ts'

/**
 * The router's longest path segment: a tRPC batch of the most calls allowed, each of the longest procedure
 * name, comma-separated (job ids and page files are far shorter). Longer URLs are refused by the router.
 */
function maxParamLength(maxBatch: number): number {
  const longest = Math.max(...procedureNames.map((name) => name.length))
  return Math.max(100, maxBatch * (longest + 1))
}

/**
 * Headers and body must arrive within AKASHGEN_REQUEST_TIMEOUT_MS (Node answers 408 and closes), checked every
 * quarter of it (at most every second: Node's default is 30 s, which would double the limit). Nothing limits a
 * response's silence: a sync generate waits for its job, and streams have their own heartbeat. Idle keep-alive
 * connections close after Fastify's 72 s, above the 60 s idle timeout of common proxies and load balancers.
 */
function connectionLimits(config: Config) {
  const timeoutMs = config.AKASHGEN_REQUEST_TIMEOUT_MS
  return {
    requestTimeout: timeoutMs,
    keepAliveTimeout: 72_000,
    http: {
      headersTimeout: timeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeoutMs / 4))),
    },
  }
}

/** Fastify's `trustProxy` for AKASHGEN_TRUST_PROXY: unset trusts nobody; a hop count trusts that many. */
function trustedProxies(trust: Config['AKASHGEN_TRUST_PROXY']) {
  if (trust === undefined) return {}
  return { trustProxy: typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust }
}

/** The options, spread into `Fastify({...})`. */
export function edgeOptions(config: Config) {
  return {
    ...connectionLimits(config),
    // X-Forwarded-For/-Proto/-Host are read only from these hops (request.ip, request.protocol, request.host).
    ...trustedProxies(config.AKASHGEN_TRUST_PROXY),
    routerOptions: { maxParamLength: maxParamLength(config.AKASHGEN_TRPC_MAX_BATCH) },
  }
}
