/** Installs the gateway's security: headers, CORS, API keys and rate limits; returns the guard tRPC uses. */
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import { refuseRepeatedKey } from '../../idempotency/key.ts'
import { plainHostOf } from '../origin.ts'
import { ApiKeys } from './api-keys.ts'
import { ApiGuard, installApiGuard } from './auth-hook.ts'
import { registerCors } from './cors.ts'
import { installNoStore, registerSecurityHeaders } from './headers.ts'
import { createRateLimiters } from './rate-limit.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The API guard: key check and rate limits. */
    apiGuard: ApiGuard
  }
}

/** Call before any route is added. Order matters: CORS answers preflights before the guard asks for a key. */
export async function installSecurity(
  app: FastifyInstance,
  config: Config,
  logger: Logger,
): Promise<ApiGuard> {
  await registerSecurityHeaders(app)
  // First, so refusals (400, 401, 429) are not stored either.
  installNoStore(app)
  // Refused before anything runs (a sync job would otherwise run and fail only when its URL is made).
  if (!config.AKASHGEN_PUBLIC_URL)
    app.addHook('onRequest', (request, _reply, done) => {
      plainHostOf(request)
      done()
    })
  await registerCors(app, config)
  const keys = new ApiKeys([...(config.AKASHGEN_API_KEYS ?? []), ...(config.AKASHGEN_API_KEYS_FILE ?? [])])
  const guard = new ApiGuard(keys, await createRateLimiters(app, config, logger))
  installApiGuard(app, guard, config.AKASHGEN_PROTECT_OPS)
  // Routes that learn their weight from the body (`/v1` with `n`) charge the rest through it.
  app.decorate('apiGuard', guard)
  // Every route, before its body is read: two keys are one mistake, whichever surface gets them.
  app.addHook('onRequest', (request, _reply, done) => {
    refuseRepeatedKey(request.raw.rawHeaders)
    done()
  })
  return guard
}
