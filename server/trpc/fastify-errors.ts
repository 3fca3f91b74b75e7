/** What Fastify itself refuses on `/trpc` (a body over the limit, a bad content length) in tRPC's error shape. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { reportError } from '../http/errors.ts'
import { errorBody, toTRPCError } from './init.ts'

/**
 * Answers `error` as tRPC answers its own errors (superjson `{error: {json: shape}}`, the shape from our
 * errorFormatter with `data.errorCode`), so the tRPC client reads the code instead of failing to parse a REST
 * error body; batch clients accept one error object for every call of the batch.
 */
export function answerInTRPCShape(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const gatewayError = reportError(error, request, reply)
  const path = (request.params as { path?: string } | undefined)?.path
  return reply.status(gatewayError.status).send(errorBody(toTRPCError(gatewayError), path))
}
