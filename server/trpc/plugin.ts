/**
 * `/trpc` in its own encapsulated context: its edge hook, its error handler (tRPC's error shape) and tRPC's
 * own JSON parser apply to its routes only, without patching routes as they are added.
 */
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify'
import type { FastifyInstance } from 'fastify'
import { contextFactory } from './context.ts'
import { edgeHook, noStore } from './edge.ts'
import { answerInTRPCShape } from './fastify-errors.ts'
import { type AppRouter, appRouter } from './router.ts'

/** What tRPC needs besides the app's decorators (`services`, `openStreams`, `apiGuard`, `config`). */
export interface TRPCPluginOptions {
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
  { maxBodySize }: TRPCPluginOptions,
): Promise<void> {
  const { services, openStreams, apiGuard, logger, config } = app
  await app.register(
    async (trpc) => {
      trpc.setErrorHandler(answerInTRPCShape)
      trpc.addHook('onRequest', edgeHook(apiGuard, config.AKASHGEN_TRPC_MAX_BATCH))
      trpc.addHook('onSend', noStore)
      await trpc.register(fastifyTRPCPlugin, {
        trpcOptions: {
          router: appRouter,
          // The edge hook lets JSON bodies only through (read under bodyLimit); this caps any body tRPC streams.
          maxBodySize,
          createContext: contextFactory(services, openStreams, apiGuard),
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
