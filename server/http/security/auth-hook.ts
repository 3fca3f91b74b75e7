/** The API guard: which routes need a key, the key check, then the rate limit; one hook for REST, SSE and /v1. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayError } from '../../errors.ts'
import { type ApiKeys, challenge, keysOfHeaders, unauthorized } from './api-keys.ts'
import { callerOf, rememberCaller } from './caller.ts'
import type { RateLimiters } from './rate-limit.ts'

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

/** Checks callers; used by the hook below and by tRPC's edge hook (which also reads `connectionParams`). */
export class ApiGuard {
  readonly #keys: ApiKeys
  readonly #limiters: RateLimiters
  readonly #admitted = new WeakSet<FastifyRequest>()

  constructor(keys: ApiKeys, limiters: RateLimiters) {
    this.#keys = keys
    this.#limiters = limiters
  }

  /**
   * Lets the request in, or throws UNAUTHORIZED (with `WWW-Authenticate` set) or RATE_LIMITED (with
   * `Retry-After` and the rate-limit headers). `weight` is how many calls the request makes (a tRPC batch:
   * one per procedure); 0 checks the key only. Wrong keys count against the address's failure budget, and an
   * address over it is refused (RATE_LIMITED) before its key is looked at.
   */
  async admit(
    request: FastifyRequest,
    reply: FastifyReply,
    weight: number,
    extraKeys: readonly (string | undefined)[] = [],
  ): Promise<void> {
    let identity: string | undefined
    if (this.#keys.enabled) {
      this.#limiters.authFailures?.check(request, reply)
      const candidates = [...keysOfHeaders(request.headers), ...extraKeys]
      identity = this.#keys.verify(candidates)
      if (!identity) {
        const sentKey = candidates.some((key) => key !== undefined)
        if (sentKey) await this.#limiters.authFailures?.fail(request, reply)
        throw this.#refuse(reply, sentKey)
      }
      rememberCaller(request, identity)
    }
    if (weight > 0) await this.#limiters.requests?.consume(request, reply, identity, weight)
    this.#admitted.add(request)
  }

  /** Whether `admit` already let this request in (tRPC admits a request in one of two places, never both). */
  admitted(request: FastifyRequest): boolean {
    return this.#admitted.has(request)
  }

  /** Counts `weight` more calls for a request already admitted (`/v1` asking for n images counts n). */
  async charge(request: FastifyRequest, reply: FastifyReply, weight: number): Promise<void> {
    const caller = callerOf(request)
    if (weight > 0)
      await this.#limiters.requests?.consume(request, reply, caller.keyed ? caller.id : undefined, weight)
  }

  #refuse(reply: FastifyReply, sentKey: boolean): GatewayError {
    reply.header('www-authenticate', challenge(sentKey))
    return unauthorized(sentKey)
  }
}

/**
 * Guards every route but tRPC's (trpc/edge.ts does that, where it reads `connectionParams` and counts the calls
 * of a batch). Every method is guarded, OPTIONS too: a CORS preflight (when CORS is on) is answered by
 * @fastify/cors's own hook, which runs first; any other OPTIONS needs a key like a GET.
 */
export function installApiGuard(app: FastifyInstance, guard: ApiGuard, protectOps: boolean): void {
  app.addHook('onRequest', (request, reply, done) => {
    const kind = routeKindOf(request.routeOptions.url)
    const weight = kind === 'api' ? 1 : kind === 'ops' && protectOps ? 0 : undefined
    if (weight === undefined) return done()
    guard.admit(request, reply, weight).then(() => done(), done)
  })
}
