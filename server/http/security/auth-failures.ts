/** Wrong API keys per client address: past the budget, the address is refused before any key is checked. */
import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../../errors.ts'

/** The budget's window: the variable says "per minute". */
export const AUTH_FAILURE_WINDOW_MS = 60_000
/** Addresses remembered as over budget at once; the oldest is forgotten first (its counter still holds it). */
const MAX_BLOCKED = 10_000

type Limit = ReturnType<FastifyInstance['createRateLimit']>

/**
 * Counts wrong keys (a missing key tells a guesser nothing and is not counted) per client address, in the rate
 * limiter's store (Redis when shared). Once an address is over budget, its requests get RATE_LIMITED until the
 * window ends, even with a right key: answering right keys then would let guessing go on at full speed.
 */
export class AuthFailures {
  readonly #limit: Limit
  readonly #max: number
  /** Address → when its block ends (ms); learnt from the shared counter, so each replica learns it too. */
  readonly #blockedUntil = new Map<string, number>()

  constructor(limit: Limit, max: number) {
    this.#limit = limit
    this.#max = max
  }

  /** Throws RATE_LIMITED (with `Retry-After`) while the request's address is over its budget. */
  check(request: FastifyRequest, reply: FastifyReply): void {
    const address = normalizeIP(request.ip)
    const until = this.#blockedUntil.get(address)
    if (until === undefined) return
    const leftMs = until - Date.now()
    if (leftMs <= 0) this.#blockedUntil.delete(address)
    else throw this.#tooMany(reply, Math.ceil(leftMs / 1000))
  }

  /** Counts one wrong key; throws RATE_LIMITED when it was over the budget (the caller answers 401 otherwise). */
  async fail(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const outcome = await this.#limit(request)
    if (outcome.isAllowed || !outcome.isExceeded) return
    const retryAfterS = Math.max(1, outcome.ttlInSeconds)
    const oldest = this.#blockedUntil.keys().next()
    if (this.#blockedUntil.size >= MAX_BLOCKED && !oldest.done) this.#blockedUntil.delete(oldest.value)
    this.#blockedUntil.set(normalizeIP(request.ip), Date.now() + retryAfterS * 1000)
    throw this.#tooMany(reply, retryAfterS)
  }

  #tooMany(reply: FastifyReply, retryAfterS: number): GatewayError {
    reply.header('retry-after', String(retryAfterS))
    return new GatewayError(
      'RATE_LIMITED',
      `too many wrong API keys from this address: ${this.#max} per minute (AKASHGEN_AUTH_FAILURES_PER_MINUTE)`,
      { details: { limit: this.#max, windowS: AUTH_FAILURE_WINDOW_MS / 1000, retryAfterS }, retryAfterS },
    )
  }
}
