/** The tRPC context: the engine and facts about the request, built per call by the Fastify adapter. */
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify'
import { GatewayError } from '../errors.ts'
import { originOf } from '../http/origin.ts'
import { keyOfConnectionParams } from '../http/security/api-keys.ts'
import type { ApiGuard } from '../http/security/auth-hook.ts'
import { callerOf } from '../http/security/caller.ts'
import type { OpenStreams } from '../http/sse.ts'
import type { AppServices } from '../services.ts'
import type { Context } from './context-type.ts'
import { toTRPCError } from './init.ts'

/**
 * Makes the context factory for one set of services and the gateway's registry of open streams. Requests with
 * a body were let in by `guard` before it was read (trpc/edge.ts); a subscription is let in here, its key from
 * the headers or `connectionParams.apiKey` (the only place a browser's EventSource can put one), counted once.
 * A refusal, or a Host header that can not make an absolute URL, fails every call of the request with its code.
 */
export function contextFactory(services: AppServices, streams: OpenStreams, guard: ApiGuard) {
  return async ({ req, res, info }: CreateFastifyContextOptions): Promise<Context> => {
    try {
      if (!guard.admitted(req))
        await guard.admit(req, res, info.calls.length, [keyOfConnectionParams(info.connectionParams)])
      const origin = originOf(req)
      return {
        services,
        streams,
        origin,
        requestId: String(req.id),
        caller: callerOf(req),
        headers: req.headers,
      }
    } catch (error) {
      throw error instanceof GatewayError ? toTRPCError(error) : error
    }
  }
}
