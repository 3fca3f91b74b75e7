/** Errors on `/v1` in OpenAI's shape, `{error: {message, type, param, code}}`, derived from GatewayError. */
import type { FastifyError, FastifyInstance } from 'fastify'
import { GatewayError, toGatewayError } from '../../errors.ts'

/** The body of every `/v1` error. `code` is our stable code, lowercased (`INVALID_REQUEST` → `invalid_request`). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string }
}

/**
 * OpenAI's error `type`, from the HTTP status of our code: it follows new codes without an edit here, and the
 * exact reason is in `code`.
 */
function typeOf(status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 429) return 'rate_limit_error'
  if (status === 499) return 'api_error'
  return status < 500 ? 'invalid_request_error' : 'server_error'
}

/**
 * The request field an error is about: `details.param` when set, else the first field of a contract check's
 * `details.fieldErrors` (the request parser orders them as the OpenAI request lists its fields).
 */
function paramOf(details: unknown): string | null {
  if (typeof details !== 'object' || details === null) return null
  const { param, fieldErrors } = details as { param?: unknown; fieldErrors?: unknown }
  if (typeof param === 'string') return param
  if (typeof fieldErrors === 'object' && fieldErrors !== null) return Object.keys(fieldErrors)[0] ?? null
  return null
}

/** The OpenAI-shaped body of `error`; INTERNAL messages stay hidden, as on every surface. */
export function openAIErrorBody(error: GatewayError): OpenAIErrorBody {
  return {
    error: {
      message: error.toBody().error,
      type: typeOf(error.status),
      param: paramOf(error.details),
      code: error.code.toLowerCase(),
    },
  }
}

/** Fastify's own errors (content type, JSON, body size) as gateway codes, with the REST surface's meanings. */
function fromFastifyError(error: FastifyError): GatewayError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError('PAYLOAD_TOO_LARGE', 'request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('INVALID_REQUEST', 'request body is empty: send a JSON object with a "prompt"')
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        // Fastify reports malformed JSON as a SyntaxError with status 400.
        const json = error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
        return new GatewayError('INVALID_REQUEST', json ? 'request body is not valid JSON' : error.message)
      }
      return toGatewayError(error)
  }
}

/**
 * Installs OpenAI-shaped error and not-found handlers on the plugin's context (they do not reach the REST
 * routes). `x-should-retry` tells the OpenAI SDKs whether their automatic retry can help.
 */
export function installOpenAIErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const gatewayError = error instanceof GatewayError ? error : fromFastifyError(error)
    if (gatewayError.code === 'INTERNAL') request.log.error({ err: error }, 'internal error')
    else if (gatewayError.status >= 500)
      request.log.warn({ code: gatewayError.code, reason: gatewayError.message }, 'request failed')
    if (gatewayError.retryAfterS !== undefined) reply.header('retry-after', String(gatewayError.retryAfterS))
    reply.header('x-should-retry', String(gatewayError.retryable))
    return reply.status(gatewayError.status).send(openAIErrorBody(gatewayError))
  })
  app.setNotFoundHandler((request, reply) => {
    const error = new GatewayError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)
    return reply.status(404).send(openAIErrorBody(error))
  })
}
