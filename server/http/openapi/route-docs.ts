/** A route's OpenAPI documentation: zod schemas from the contract, put on the route for the document only. */
import { ERROR_CODES, ErrorBody, type ErrorCode } from '@akashgen/contract'
import type { FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import { z } from 'zod'

/** One response header, as the document describes it. */
export interface HeaderDoc {
  description: string
  type?: 'string' | 'integer'
}

/** One response: a description, its body per media type (absent when there is none) and its headers. */
export interface ResponseDoc {
  description: string
  content?: Record<string, { schema: z.ZodType }>
  headers?: Record<string, HeaderDoc>
}

/** What documents a route: the operation's texts, its inputs and every response, keyed by status. */
export interface RouteDocs extends FastifySchema {
  summary: string
  description?: string
  tags?: string[]
  operationId?: string
  body?: z.ZodType
  params?: z.ZodType
  querystring?: z.ZodType
  headers?: z.ZodType
  response: Record<string, ResponseDoc>
}

/** The route options `documented()` gives: the docs as `schema`, and compilers that leave requests and replies alone. */
export interface DocumentedRoute {
  schema: RouteDocs
  validatorCompiler: FastifySchemaCompiler<unknown>
  serializerCompiler: FastifySerializerCompiler<unknown>
}

const acceptAsIs = () => (value: unknown) => ({ value })
const stringify = () => (payload: unknown) => JSON.stringify(payload)

/**
 * Route options carrying `docs`. Fastify neither validates nor serializes with them: the handlers check input
 * with the contract (`parseBody`), so bad input keeps our INVALID_REQUEST body and messages, and replies are
 * `JSON.stringify`'d as on an undocumented route, so no field is ever stripped.
 */
export function documented(docs: RouteDocs): DocumentedRoute {
  return { schema: { ...docs }, validatorCompiler: acceptAsIs, serializerCompiler: stringify }
}

/** A JSON body of `schema`. */
export const json = (schema: z.ZodType): Record<string, { schema: z.ZodType }> => ({
  'application/json': { schema },
})

/** Raw bytes of each media type, e.g. an image. */
export const binary = (...mediaTypes: string[]): Record<string, { schema: z.ZodType }> =>
  Object.fromEntries(mediaTypes.map((type) => [type, { schema: z.string().meta({ format: 'binary' }) }]))

/** The media types a generated image comes in (from its own bytes). */
export const IMAGE_TYPES = ['image/webp', 'image/png', 'image/jpeg']

/** `X-Request-Id`, on every response. */
export const REQUEST_ID_HEADER: Record<string, HeaderDoc> = {
  'X-Request-Id': { description: "The request's id (the caller's own `X-Request-Id` when it sent one)." },
}

/** `Retry-After`, on 202, 429 and 503 SHUTTING_DOWN answers. */
export const RETRY_AFTER_HEADER: Record<string, HeaderDoc> = {
  'Retry-After': { description: 'Seconds to wait before asking again.', type: 'integer' },
}

const WHEN: Partial<Record<ErrorCode, string>> = {
  INVALID_REQUEST: 'the body is not JSON or fails the contract (`details.fieldErrors` names each field)',
  NOT_FOUND: 'unknown or expired job',
  IDEMPOTENCY_CONFLICT: 'the `Idempotency-Key` was used before with a different request',
  PAYLOAD_TOO_LARGE: 'body over 64 KiB',
  UNSUPPORTED_MEDIA_TYPE: 'body not `application/json`',
  QUEUE_FULL: 'every slot busy and the queue full (see `Retry-After`)',
  CLIENT_LIMIT:
    'this caller holds its fair share already: `details.limit` names the limit (`AKASHGEN_MAX_JOBS_PER_CLIENT` ' +
    'or `AKASHGEN_MAX_STREAMS_PER_CLIENT`); see `Retry-After`',
  CANCELLED: 'the caller went away or the job was cancelled',
  INTERNAL: 'a bug (the message is hidden and logged)',
  JOB_FAILED: 'the upstream said the job failed (its reason in `error`)',
  UPSTREAM_ERROR: 'upstream unreachable, non-2xx, malformed, or not an acceptable image',
  SHUTTING_DOWN: 'the gateway is stopping and takes no new work (see `Retry-After`); retry',
  UPSTREAM_TIMEOUT: 'one upstream call passed its own timeout',
  JOB_TIMEOUT: 'the job passed its whole deadline, `AKASHGEN_JOB_TIMEOUT_MS`',
}

/**
 * The error responses of `codes`, one per HTTP status, each an `ErrorBody` whose description names its codes.
 * Codes the contract does not (or no longer) know are left out, so the document never names one it can not send.
 */
export function errorResponses(codes: readonly string[]): Record<string, ResponseDoc> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of codes) {
    if (!Object.hasOwn(ERROR_CODES, code)) continue
    const known = code as ErrorCode
    const status = ERROR_CODES[known].status
    byStatus.set(status, [...(byStatus.get(status) ?? []), known])
  }
  return Object.fromEntries(
    [...byStatus].map(([status, known]) => [
      String(status),
      {
        description: known.map((code) => `\`${code}\`${WHEN[code] ? `: ${WHEN[code]}` : ''}`).join('; '),
        content: json(ErrorBody),
        headers:
          status === 429 || known.includes('SHUTTING_DOWN')
            ? { ...REQUEST_ID_HEADER, ...RETRY_AFTER_HEADER }
            : REQUEST_ID_HEADER,
      } satisfies ResponseDoc,
    ]),
  )
}
