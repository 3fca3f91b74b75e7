/** API keys: where a caller puts one, and a constant-time check of it against the configured keys. */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { GatewayError } from '../../errors.ts'

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/** The configured keys, kept only as SHA-256 digests. */
export class ApiKeys {
  readonly #digests: Buffer[]

  constructor(keys: readonly string[]) {
    this.#digests = [...new Set(keys)].map(sha256)
  }

  /** Whether any key is configured (else the API is open). */
  get enabled(): boolean {
    return this.#digests.length > 0
  }

  /**
   * The caller's identity (a short digest of its key, for rate-limit counters) when one of `candidates` is a
   * configured key, else undefined. Digests have one length whatever the input's, and every pair is compared
   * to the end: the time taken says nothing about how close a wrong key was.
   */
  verify(candidates: readonly (string | undefined)[]): string | undefined {
    let match: Buffer | undefined
    for (const candidate of candidates) {
      if (candidate === undefined) continue
      const digest = sha256(candidate)
      for (const known of this.#digests) if (timingSafeEqual(digest, known)) match = known
    }
    return match ? `key:${match.toString('hex').slice(0, 16)}` : undefined
  }
}

/** The keys a request carries: `Authorization: Bearer <key>` and `x-api-key: <key>`. */
export function keysOfHeaders(headers: IncomingHttpHeaders): (string | undefined)[] {
  const authorization = headers.authorization
  const bearer = authorization?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i)?.[1]
  const header = headers['x-api-key']
  return [bearer, typeof header === 'string' ? header.trim() : undefined]
}

/** The key of tRPC `connectionParams` (`{ apiKey }`), for subscriptions from a browser's EventSource. */
export function keyOfConnectionParams(
  params: Record<string, string | undefined> | null | undefined,
): string | undefined {
  const key = params?.apiKey
  return typeof key === 'string' ? key : undefined
}

/** The `WWW-Authenticate` value of a refusal (RFC 6750): `invalid_token` when a key was sent but is wrong. */
export function challenge(sentKey: boolean): string {
  return sentKey ? 'Bearer realm="akashgen", error="invalid_token"' : 'Bearer realm="akashgen"'
}

/** UNAUTHORIZED, saying how to send a key; the key itself is never repeated. */
export function unauthorized(sentKey: boolean): GatewayError {
  return new GatewayError(
    'UNAUTHORIZED',
    sentKey
      ? 'the API key is not valid'
      : 'an API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>"',
  )
}
