/** Checks request input the route's schemas do not: a JSON body's media type, and input assembled from several parts. */
import type { FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { GatewayError, invalidRequest } from '../errors.ts'

/** Refuses bodies that are not `application/json` (Fastify would otherwise accept text/plain as a string). */
export function requireJson(request: FastifyRequest): void {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json' && !type?.endsWith('+json')) {
    throw new GatewayError(
      'UNSUPPORTED_MEDIA_TYPE',
      `request body must be application/json, not ${type ?? 'absent'}`,
      {
        details: { contentType: type ?? null, expected: 'application/json' },
      },
    )
  }
}

/**
 * Parses `value` (input a handler assembled, e.g. the URL's id as the contract's `jobId`) with `schema`; on failure
 * the message lists every problem and `details` has them per field.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw invalidRequest(parsed.error)
}
