/** The `Idempotency-Key` header: its check, and the hashes a key is stored and compared under. */
import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { GatewayError } from '../errors.ts'

/** The request header every surface reads (the tRPC `generate` too, from its HTTP request). */
const IDEMPOTENCY_HEADER = 'idempotency-key'

/** Set on an answer to a request whose key had been used: the jobs are the earlier request's. */
export const REPLAYED_HEADER = 'idempotent-replayed'

/** 1-255 printable ASCII characters (space included: Node trims it at either end). */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/

const invalidKey = () =>
  new GatewayError(
    'INVALID_REQUEST',
    'invalid request: the Idempotency-Key header must be sent once, as 1-255 printable ASCII characters',
    { details: { header: 'Idempotency-Key' } },
  )

/** The request's key, or undefined without the header; INVALID_REQUEST (naming the header) when malformed. */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[IDEMPOTENCY_HEADER]
  if (value === undefined) return undefined
  if (typeof value === 'string' && VALID_KEY.test(value)) return value
  throw invalidKey()
}

/**
 * INVALID_REQUEST when the header came more than once. Node joins repeated unknown headers with ", " into one
 * valid-looking key, so only the raw header list (`IncomingMessage.rawHeaders`) shows it.
 */
export function refuseRepeatedKey(rawHeaders: readonly string[]): void {
  let seen = 0
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (rawHeaders[i]?.toLowerCase() === IDEMPOTENCY_HEADER && ++seen > 1) throw invalidKey()
}

/**
 * The stored name of a key: per route (`scope`) and per caller (`Caller.id`: the verified key's digest, or the
 * client's address in open mode), so two clients' keys never collide, and one key however it was sent is one.
 */
export function storageKey(scope: string, callerId: string, key: string): string {
  return sha256(JSON.stringify([scope, callerId, key]))
}

/** A hash of the parsed request that does not depend on the order of its fields. */
export function fingerprint(request: unknown): string {
  return sha256(canonicalJson(request))
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
