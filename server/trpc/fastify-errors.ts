/** What Fastify itself refuses on `/trpc` (a body over the limit, a bad content length) in tRPC's error shape. */
import { getTRPCErrorShape, transformTRPCResponse } from '@trpc/server'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { reportError } from '../http/errors.ts'
import { toTRPCError } from './init.ts'
import { appRouter } from './router.ts'

/**
 * Answers `error` as tRPC answers its own errors (superjson `{error: {json: shape}}`, the shape from our
 * errorFormatter with `data.errorCode`), so the tRPC client reads the code instead of failing to parse a REST
 * error body; batch clients accept one error object for every call of the batch.
 */
export function answerInTRPCShape(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const gatewayError = reportError(error, request, reply)
  const config = appRouter._def._config
  const path = (request.params as { path?: string } | undefined)?.path
  const shape = getTRPCErrorShape({
    config,
    error: toTRPCError(gatewayError),
    type: 'unknown',
    path,
    input: undefined,
    ctx: undefined,
  })
  return reply.status(gatewayError.status).send(transformTRPCResponse(config, { error: shape }))
}
