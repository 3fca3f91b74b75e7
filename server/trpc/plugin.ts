/**
 * `/trpc` in its own encapsulated context: its edge hook, its error handler (tRPC's error shape) and tRPC's
 * own JSON parser apply to its routes only, without patching routes as they are added.
 */
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { ApiGuard } from '../http/security/auth-hook.ts'
import type { OpenStreams } from '../http/sse.ts'
import type { AppServices } from '../services.ts'
import { contextFactory } from './context.ts'
import { edgeHook, noStore } from './edge.ts'
import { answerInTRPCShape } from './fastify-errors.ts'
import { type AppRouter, appRouter } from './router.ts'

/** What the tRPC context needs from the app. */
export interface TRPCPluginOptions {
  services: AppServices
  streams: OpenStreams
  guard: ApiGuard
  logger: Logger
  maxBatch: number
  /** The largest body tRPC streams, in bytes. */
  maxBodySize: number
}

/**
 * Registers tRPC under `prefix` in a child context. Not wrapped in fastify-plugin: tRPC's body parser and the
 * error handler must stay inside it.
 */
export async function registerTRPC(
  app: FastifyInstance,
  prefix: string,
  { services, streams, guard, logger, maxBatch, maxBodySize }: TRPCPluginOptions,
): Promise<void> {
  await app.register(
    async (trpc) => {
      trpc.setErrorHandler(answerInTRPCShape)
      trpc.addHook('onRequest', edgeHook(guard, maxBatch))
      trpc.addHook('onSend', noStore)
      await trpc.register(fastifyTRPCPlugin, {
        trpcOptions: {
          router: appRouter,
          // The edge hook lets JSON bodies only through (read under bodyLimit); this caps any body tRPC streams.
          maxBodySize,
          createContext: contextFactory(services, streams, guard),
          onError({ error, path }) {
            if (error.code === 'INTERNAL_SERVER_ERROR')
              logger.error({ err: error.cause ?? error, path }, 'tRPC internal error')
          },
        },
      } satisfies FastifyTRPCPluginOptions<AppRouter>)
    },
    { prefix },
  )
}
