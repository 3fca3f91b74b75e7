/** Every REST error as `{error, details, code, retryable}` with the status of its code. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  hasZodFastifySchemaValidationErrors,
  type ZodFastifySchemaValidationError,
} from 'fastify-type-provider-zod'
import { z } from 'zod'
import { GatewayError, invalidRequest, toGatewayError } from '../errors.ts'

/**
 * The ZodError a failed route validation came from, rebuilt from fastify-type-provider-zod's issues (each keeps
 * zod's code, message and other fields; its path is joined into `instancePath`), so the INVALID_REQUEST body is
 * the one the contract check gives everywhere else.
 */
function zodErrorOf(validation: readonly ZodFastifySchemaValidationError[]): z.ZodError {
  const issues = validation.map(({ keyword, instancePath, message, params }) => ({
    ...params,
    code: keyword,
    path: instancePath === '/' ? [] : instancePath.slice(1).split('/'),
    message,
  }))
  // The fields are zod's own issue's, spread back (fastify-type-provider-zod types them as plain records).
  return new z.ZodError(issues as z.core.$ZodIssue[])
}

/** Fastify's own errors (body parsing, limits) mapped to gateway codes. */
function fromFastifyError(error: FastifyError): GatewayError {
  if (hasZodFastifySchemaValidationErrors(error)) return invalidRequest(zodErrorOf(error.validation))
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError('PAYLOAD_TOO_LARGE', 'request body is too large', {
        details: { reason: error.message },
      })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json', {
        details: { reason: error.message },
      })
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new GatewayError('INVALID_REQUEST', 'request body is not valid JSON')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('INVALID_REQUEST', 'request body is empty: send a JSON object with a "prompt"')
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        const message =
          error instanceof SyntaxError ? `request body is not valid JSON: ${error.message}` : error.message
        return new GatewayError('INVALID_REQUEST', message)
      }
      return toGatewayError(error)
  }
}

/**
 * Anything a route threw as a GatewayError, logged as its code deserves (INTERNAL in full, other 5xx as a
 * warning), with `Retry-After` set when the error has one. Every surface's error handler starts here.
 */
export function reportError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): GatewayError {
  const gatewayError = error instanceof GatewayError ? error : fromFastifyError(error)
  if (gatewayError.code === 'INTERNAL') request.log.error({ err: error }, 'internal error')
  else if (gatewayError.status >= 500)
    request.log.warn({ code: gatewayError.code, reason: gatewayError.message }, 'request failed')
  if (gatewayError.retryAfterS !== undefined) reply.header('retry-after', String(gatewayError.retryAfterS))
  return gatewayError
}

/** NOT_FOUND for a route that does not exist. */
export const noRoute = (request: FastifyRequest): GatewayError =>
  new GatewayError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)

/** Installs the error and not-found handlers on the REST routes. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const gatewayError = reportError(error, request, reply)
    return reply.status(gatewayError.status).send(gatewayError.toBody(String(request.id)))
  })
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(noRoute(request).toBody(String(request.id))),
  )
}
