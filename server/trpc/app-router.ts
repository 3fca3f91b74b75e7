/**
 * The router's public type, `AppRouter`: the real router's procedures with the server-only context erased. It is
 * computed through a function call so that its emitted declaration spells the procedures out and names no server
 * module: the client's published .d.ts inlines it and needs neither our source nor fastify, bullmq or ioredis.
 */
import type { AnyTRPCRouter, TRPCBuiltRouter } from '@trpc/server'
import { appRouter } from './router.ts'

/** `router`'s type with `ctx` replaced by `object` (callers never see the context). */
function withoutContext<R extends AnyTRPCRouter>(
  router: R,
): TRPCBuiltRouter<
  {
    ctx: object
    meta: R['_def']['_config']['$types']['meta']
    errorShape: R['_def']['_config']['$types']['errorShape']
    transformer: R['_def']['_config']['$types']['transformer']
  },
  R['_def']['record']
> {
  return router as never
}

const publicRouter = withoutContext(appRouter)

/** The gateway's tRPC router, as its callers see it: `createTRPCClient<AppRouter>(...)`. */
export type AppRouter = typeof publicRouter
