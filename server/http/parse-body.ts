/** Checks a REST body against a contract schema, refusing with INVALID_REQUEST that names each bad field. */
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

/** Parses `value` with `schema`; on failure the message lists every problem and `details` has them per field. */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw invalidRequest(parsed.error)
}
