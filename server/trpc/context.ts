/** The tRPC context: the engine and facts about the request, built per call by the Fastify adapter. */
import type { IncomingHttpHeaders } from 'node:http'
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify'
import { originOf } from '../http/origin.ts'
import type { OpenStreams } from '../http/sse.ts'
import type { AppServices } from '../services.ts'

/** What every procedure can use. */
export interface Context {
  services: AppServices
  /** The open event streams, ended on shutdown (`jobEvents` registers itself here). */
  streams: OpenStreams
  /** This gateway's origin as the caller reached it, for absolute image URLs. */
  origin: string
  requestId: string
  /** The HTTP request's headers (`generate` reads `Idempotency-Key` and the caller's credentials from them). */
  headers: IncomingHttpHeaders
}

/** Makes the context factory for one set of services and the gateway's registry of open streams. */
export function contextFactory(services: AppServices, streams: OpenStreams) {
  return ({ req }: CreateFastifyContextOptions): Context => ({
    services,
    streams,
    origin: originOf(req),
    requestId: String(req.id),
    headers: req.headers,
  })
}
