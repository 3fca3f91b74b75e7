/** The tRPC context: the engine and facts about the request, built per call by the Fastify adapter. */
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify'
import { originOf } from '../http/origin.ts'
import type { AppServices } from '../services.ts'

/** What every procedure can use. */
export interface Context {
  services: AppServices
  /** This gateway's origin as the caller reached it, for absolute image URLs. */
  origin: string
  requestId: string
}

/** Makes the context factory for one set of services. */
export function contextFactory(services: AppServices) {
  return ({ req }: CreateFastifyContextOptions): Context => ({
    services,
    origin: originOf(req),
    requestId: String(req.id),
  })
}
