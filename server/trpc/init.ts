/** tRPC, created once: superjson, and errors that carry the gateway's own code on every call. */
import { ERROR_CODES, type ErrorCode } from '@akashgen/contract'
import { initTRPC, type TRPCDefaultErrorShape, TRPCError } from '@trpc/server'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc'
import superjson from 'superjson'
import { z } from 'zod'
import { GatewayError, invalidRequest } from '../errors.ts'
import { shuttingDown } from '../shutdown.ts'
import type { Context } from './context-type.ts'

type TRPCCode = TRPCError['code']

/** The tRPC code each gateway code travels as. */
const TRPC_CODES: Record<ErrorCode, TRPCCode> = {
  INVALID_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  IDEMPOTENCY_CONFLICT: 'CONFLICT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  QUEUE_FULL: 'TOO_MANY_REQUESTS',
  CLIENT_LIMIT: 'TOO_MANY_REQUESTS',
  CANCELLED: 'CLIENT_CLOSED_REQUEST',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  JOB_FAILED: 'BAD_GATEWAY',
  UPSTREAM_ERROR: 'BAD_GATEWAY',
  UPSTREAM_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  STORE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  SHUTTING_DOWN: 'SERVICE_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'GATEWAY_TIMEOUT',
  JOB_TIMEOUT: 'GATEWAY_TIMEOUT',
}

/** Our code for a tRPC code that tRPC itself raised (bad JSON, unknown procedure, wrong method...). */
function codeOfTRPCError(code: TRPCCode): ErrorCode {
  if (code === 'NOT_FOUND') return 'NOT_FOUND'
  if (code === 'PAYLOAD_TOO_LARGE') return 'PAYLOAD_TOO_LARGE'
  if (code === 'UNSUPPORTED_MEDIA_TYPE') return 'UNSUPPORTED_MEDIA_TYPE'
  if (code === 'INTERNAL_SERVER_ERROR') return 'INTERNAL'
  return 'INVALID_REQUEST'
}

/** Converts a GatewayError into the TRPCError tRPC sends, keeping the original as `cause`. */
export function toTRPCError(error: GatewayError): TRPCError {
  return new TRPCError({ code: TRPC_CODES[error.code], message: error.message, cause: error })
}

/**
 * Every tRPC error's shape: the gateway's `errorCode`, `retryable` and `details` in its data, 5xx messages
 * hidden. tRPC calls it for its own errors; `errorBody` for the ones Fastify raises before tRPC runs.
 */
function formatError({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }) {
  const zodError = error.cause instanceof z.ZodError ? error.cause : undefined
  const cause = zodError ? invalidRequest(zodError) : error.cause
  const errorCode: ErrorCode = cause instanceof GatewayError ? cause.code : codeOfTRPCError(error.code)
  const hidden = errorCode === 'INTERNAL'
  const { stack: _stack, ...data } = shape.data
  return {
    ...shape,
    message: hidden ? 'Internal server error' : cause instanceof GatewayError ? cause.message : shape.message,
    data: {
      ...data,
      errorCode,
      retryable: ERROR_CODES[errorCode].retryable,
      ...(cause instanceof GatewayError && cause.details !== undefined && !hidden
        ? { details: cause.details }
        : {}),
      ...(error.cause instanceof z.ZodError ? { fieldErrors: z.flattenError(error.cause) } : {}),
    },
  }
}

/**
 * The body tRPC sends for `error` outside any procedure (`{error: shape}`, the shape superjson-serialized), built
 * as tRPC builds its default shape: so the tRPC client reads the code of an error raised before tRPC ran.
 */
export function errorBody(error: TRPCError, path: string | undefined) {
  const shape: TRPCDefaultErrorShape = {
    message: error.message,
    code: TRPC_ERROR_CODES_BY_KEY[error.code],
    data: {
      code: error.code,
      httpStatus: getHTTPStatusCodeFromError(error),
      ...(typeof path === 'string' ? { path } : {}),
    },
  }
  return { error: superjson.serialize(formatError({ shape, error })) }
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Ping comments keep idle subscriptions alive through proxies; the client reconnects (resuming with
  // lastEventId) when it hears nothing for twice that long.
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 35_000 } },
  errorFormatter: formatError,
})

export const router = t.router

/**
 * Every procedure: refused with SHUTTING_DOWN once the gateway is stopping (but `health`), and a GatewayError
 * thrown inside becomes the matching TRPCError.
 */
export const publicProcedure = t.procedure.use(async ({ ctx, path, next }) => {
  if (ctx.services.shutdown.started && path !== 'health') throw toTRPCError(shuttingDown())
  const result = await next()
  if (!result.ok && result.error.cause instanceof GatewayError) {
    return { ...result, error: toTRPCError(result.error.cause) }
  }
  return result
})
