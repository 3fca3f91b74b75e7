/** The API guard: which routes need a key, the key check, then the rate limit; one hook for REST, SSE and /v1. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayError } from '../../errors.ts'
import { type ApiKeys, challenge, keysOfHeaders, unauthorized } from './api-keys.ts'
import { rememberCaller } from './caller.ts'
import type { RateLimiter } from './rate-limit.ts'

/** What a route is, for the guard: `ops` (health, readiness, metrics), `open` (pages, docs), `trpc`, or `api`. */
export type RouteKind = 'ops' | 'open' | 'trpc' | 'api'

const OPS = new Set(['/health', '/ready', '/metrics'])
const OPEN = new Set(['/', '/openapi.json'])

/**
 * The kind of the route Fastify matched (its pattern, not the raw URL, so `/%61pi/...` can not dodge the
 * guard). Anything not listed, unmatched URLs included, is `api`: new routes are protected by default.
 */
export function routeKindOf(routeUrl: string | undefined): RouteKind {
  if (routeUrl === undefined) return 'api'
  if (OPS.has(routeUrl)) return 'ops'
  if (routeUrl === '/trpc/:path') return 'trpc'
  if (OPEN.has(routeUrl) || routeUrl.startsWith('/playground/')) return 'open'
  if (routeUrl === '/docs' || routeUrl.startsWith('/docs/')) return 'open'
  return 'api'
}

/** Checks callers; used by the hook below and by the tRPC context (which also reads `connectionParams`). */
export class ApiGuard {
  readonly #keys: ApiKeys
  readonly #limiter: RateLimiter | undefined

  constructor(keys: ApiKeys, limiter: RateLimiter | undefined) {
    this.#keys = keys
    this.#limiter = limiter
  }

  /**
   * Lets the request in, or throws UNAUTHORIZED (with `WWW-Authenticate` set) or RATE_LIMITED (with
   * `Retry-After` and the rate-limit headers). `weight` is how many calls the request makes (a tRPC batch:
   * one per procedure); 0 checks the key only.
   */
  async admit(
    request: FastifyRequest,
    reply: FastifyReply,
    weight: number,
    extraKeys: readonly (string | undefined)[] = [],
  ): Promise<void> {
    let identity: string | undefined
    if (this.#keys.enabled) {
      const candidates = [...keysOfHeaders(request.headers), ...extraKeys]
      identity = this.#keys.verify(candidates)
      if (!identity)
        throw this.#refuse(
          reply,
          candidates.some((key) => key !== undefined),
        )
      rememberCaller(request, identity)
    }
    if (weight > 0) await this.#limiter?.consume(request, reply, identity, weight)
  }

  #refuse(reply: FastifyReply, sentKey: boolean): GatewayError {
    reply.header('www-authenticate', challenge(sentKey))
    return unauthorized(sentKey)
  }
}

/**
 * Guards every route but tRPC's (its context does that, where it can read `connectionParams` and count the
 * calls of a batch). Preflight requests carry no credentials and pass: CORS answers them.
 */
export function installApiGuard(app: FastifyInstance, guard: ApiGuard, protectOps: boolean): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return
    const kind = routeKindOf(request.routeOptions.url)
    if (kind === 'api') await guard.admit(request, reply, 1)
    else if (kind === 'ops' && protectOps) await guard.admit(request, reply, 0)
  })
}
