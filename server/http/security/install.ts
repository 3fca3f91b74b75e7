/** Installs the gateway's security: headers, CORS, API keys and rate limits; returns the guard tRPC uses. */
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import { ApiKeys } from './api-keys.ts'
import { ApiGuard, installApiGuard } from './auth-hook.ts'
import { registerCors } from './cors.ts'
import { registerSecurityHeaders } from './headers.ts'
import { createRateLimiter } from './rate-limit.ts'

/** Call before any route is added. Order matters: CORS answers preflights before the guard asks for a key. */
export async function installSecurity(
  app: FastifyInstance,
  config: Config,
  logger: Logger,
): Promise<ApiGuard> {
  await registerSecurityHeaders(app)
  await registerCors(app, config)
  const keys = new ApiKeys([...(config.AKASHGEN_API_KEYS ?? []), ...(config.AKASHGEN_API_KEYS_FILE ?? [])])
  const guard = new ApiGuard(keys, await createRateLimiter(app, config, logger))
  installApiGuard(app, guard, config.AKASHGEN_PROTECT_OPS)
  return guard
}
