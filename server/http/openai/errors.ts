/** Errors on `/v1` in OpenAI's shape, `{error: {message, type, param, code}}`, derived from GatewayError. */
import type { FastifyError, FastifyInstance } from 'fastify'
import type { GatewayError } from '../../errors.ts'
import { noRoute, reportError } from '../errors.ts'

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

/**
 * Installs OpenAI-shaped error and not-found handlers on the plugin's context (they do not reach the REST
 * routes). `x-should-retry` tells the OpenAI SDKs whether their automatic retry can help.
 */
export function installOpenAIErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const gatewayError = reportError(error, request, reply)
    reply.header('x-should-retry', String(gatewayError.retryable))
    return reply.status(gatewayError.status).send(openAIErrorBody(gatewayError))
  })
  app.setNotFoundHandler((request, reply) => reply.status(404).send(openAIErrorBody(noRoute(request))))
}
