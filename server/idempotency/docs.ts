/** The OpenAPI pieces of `Idempotency-Key`, shared by the routes that take it. */
import { z } from 'zod'
import type { HeaderDoc } from '../http/openapi/route-docs.ts'

/** The request header, as a field of a route's `headers` schema. */
export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/)
  .optional()
  .meta({
    description:
      '1-255 printable ASCII characters. The same key with the same request (per route and per caller: the ' +
      'API key however it is sent, or the client address when the gateway is open) within 24 h answers the same job(s) instead of submitting again, even when the two ' +
      'requests race; the same key with another request is `409 IDEMPOTENCY_CONFLICT`. Once the job is past ' +
      'retention (`AKASHGEN_RETENTION_MS`), its key answers `404 NOT_FOUND`.',
    examples: ['3f1c2a9e-0b7d-4e52-9a61-7c0d5e8f1a24'],
  })

/** The response header set on a replay. */
export const REPLAYED_HEADER_DOC: Record<string, HeaderDoc> = {
  'Idempotent-Replayed': {
    description: "`true` when the `Idempotency-Key` had been used: the job(s) are the earlier request's.",
  },
}
