/** The tRPC context: the engine and facts about the request, built per call by the Fastify adapter. */
import type { IncomingHttpHeaders } from 'node:http'
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify'
import { GatewayError } from '../errors.ts'
import { originOf } from '../http/origin.ts'
import { keyOfConnectionParams } from '../http/security/api-keys.ts'
import type { ApiGuard } from '../http/security/auth-hook.ts'
import { type Caller, callerOf } from '../http/security/caller.ts'
import type { OpenStreams } from '../http/sse.ts'
import type { AppServices } from '../services.ts'
import { toTRPCError } from './init.ts'

/** What every procedure can use. */
export interface Context {
  services: AppServices
  /** The open event streams, ended on shutdown (`jobEvents` registers itself here). */
  streams: OpenStreams
  /** This gateway's origin as the caller reached it, for absolute image URLs. */
  origin: string
  requestId: string
  /** Who calls: its verified key (jobs are then its own), else its address; jobs are read as this caller. */
  caller: Caller
  /** The HTTP request's headers (`generate` reads `Idempotency-Key` from them). */
  headers: IncomingHttpHeaders
}

/**
 * Makes the context factory for one set of services and the gateway's registry of open streams. Each HTTP
 * request passes `guard` first: its key (from the headers, or a subscription's `connectionParams.apiKey`, the
 * only place a browser's EventSource can put one), then the rate limit, counting each call of a batch and a
 * subscription once when it opens. A refusal fails every call of the request with its code.
 */
export function contextFactory(services: AppServices, streams: OpenStreams, guard: ApiGuard) {
  return async ({ req, res, info }: CreateFastifyContextOptions): Promise<Context> => {
    try {
      await guard.admit(req, res, info.calls.length, [keyOfConnectionParams(info.connectionParams)])
    } catch (error) {
      throw error instanceof GatewayError ? toTRPCError(error) : error
    }
    return {
      services,
      streams,
      origin: originOf(req),
      requestId: String(req.id),
      caller: callerOf(req),
      headers: req.headers,
    }
  }
}
