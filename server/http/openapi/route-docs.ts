/** A route's OpenAPI documentation: zod schemas from the contract, put on the route for the document only. */
import { ERROR_CODES, ErrorBody, type ErrorCode } from '@akashgen/contract'
import type { FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
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

/** The route options `documented()` gives: the docs as `schema`, and the compilers that apply them. */
export interface DocumentedRoute<D extends RouteDocs = RouteDocs> {
  schema: D
  validatorCompiler: FastifySchemaCompiler<unknown>
  serializerCompiler: FastifySerializerCompiler<unknown>
}

const acceptAsIs = () => (value: unknown) => ({ value })

/**
 * The body, params and query string are validated by fastify-type-provider-zod (its errors become our
 * INVALID_REQUEST in http/errors.ts); headers are documented only: each is checked where it is read.
 */
const validateInputs: FastifySchemaCompiler<unknown> = (route) =>
  // Each part's schema is the docs' zod schema for it (RouteDocs).
  route.httpPart === 'headers'
    ? acceptAsIs()
    : validatorCompiler({ ...route, schema: route.schema as z.ZodType })

/** Whether Fastify checks the route's inputs with the docs' schemas. */
export interface DocumentedOptions {
  /**
   * Default true. False leaves the inputs to the handler, for a route whose input is the contract's under
   * other names (the URL's `id` is the contract's `jobId`, which names it in its messages and `fieldErrors`).
   */
  validate?: boolean
}

/**
 * Route options carrying `docs`: Fastify validates inputs with the docs' zod schemas (unless `validate` is
 * false), and serializes JSON replies with fastify-type-provider-zod's serializer.
 */
export function documented<D extends RouteDocs>(
  docs: D,
  { validate = true }: DocumentedOptions = {},
): DocumentedRoute<D> {
  return {
    schema: { ...docs },
    validatorCompiler: validate ? validateInputs : acceptAsIs,
    serializerCompiler: serializerCompiler as FastifySerializerCompiler<unknown>,
  }
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
