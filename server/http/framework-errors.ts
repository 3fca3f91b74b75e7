/** URLs the router cannot read, answered with our error body instead of Fastify's own (which has no `code`). */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError, toGatewayError } from '../errors.ts'
import { openAIErrorBody } from './openai/errors.ts'

/** What the caller did wrong, for the framework errors that are the caller's doing. */
const REASONS: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL path is not valid percent-encoded UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'a part of the URL path is too long',
}

/**
 * Fastify's `frameworkErrors` option: a path with bad percent-encoding (`%E0%A4`, a lone `%`) or a segment
 * longer than `maxParamLength` is INVALID_REQUEST (400), in the OpenAI shape under `/v1`. Fastify would
 * otherwise answer `{error, code: 'FST_ERR_BAD_URL', statusCode}` (or 414) before any error handler runs.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const why = REASONS[error.code]
  const gatewayError = why
    ? new GatewayError('INVALID_REQUEST', `invalid request: ${why}`, { details: { reason: error.code } })
    : toGatewayError(error)
  if (gatewayError.code === 'INTERNAL') request.log.error({ err: error }, 'internal error')
  const body = request.url.startsWith('/v1/')
    ? openAIErrorBody(gatewayError)
    : gatewayError.toBody(String(request.id))
  return reply.status(gatewayError.status).send(body)
}
