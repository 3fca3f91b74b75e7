/** buildApp: composes the gateway from its plugins and routes without listening, so tests can run it on any port. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import { edgeOptions } from './http/edge-options.ts'
import { answerFrameworkError } from './http/framework-errors.ts'
import { registerGenerateRoute } from './http/generate-route.ts'
import { registerHealthRoute } from './http/health-route.ts'
import { registerJobRoutes } from './http/job-routes.ts'
import { openAIApi } from './http/openai/plugin.ts'
import { playgroundPage } from './http/playground.ts'
import { requestIdOf } from './http/request-log.ts'
import { lazyRequestLogger } from './http/request-logger.ts'
import { ownCompilersOnly } from './http/schema-compilers.ts'
import { createLogger } from './logger.ts'
import { registerMetricsRoute } from './metrics/http.ts'
import http from './plugins/http.ts'
import jobs from './plugins/jobs.ts'
import metrics from './plugins/metrics.ts'
import openapi from './plugins/openapi.ts'
import poller from './plugins/poller.ts'
import security from './plugins/security.ts'
import services from './plugins/services.ts'
import shutdown from './plugins/shutdown.ts'
import streams from './plugins/streams.ts'
import upstream from './plugins/upstream.ts'
import webhooks from './plugins/webhooks.ts'
import { registerTRPC } from './trpc/plugin.ts'

/** Largest request body accepted, in bytes: far above any valid request (prompts are capped at 2000 chars). */
export const BODY_LIMIT = 64 * 1024

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway's config, validated once at start-up. */
    config: Config
    /** The pino logger itself (`log` is typed as Fastify's narrower logger). */
    logger: Logger
  }
}

/** What buildApp needs; the logger is made from the config when not given. */
export interface AppDeps {
  config: Config
  logger?: Logger
}

/** Builds the gateway. Close it with `app.close()`: that also cancels unfinished jobs. */
export async function buildApp({
  config,
  logger = createLogger(config.LOG_LEVEL),
}: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by one of ours (http/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT,
    // Request timeouts, trusted proxies and the router's longest path segment.
    ...edgeOptions(config),
    // A URL the router cannot read (bad percent-encoding, an over-long segment) gets our error body too.
    frameworkErrors: answerFrameworkError,
    // While closing, requests on open connections get our own 503 SHUTTING_DOWN (shutdown-gate.ts), not Fastify's.
    return503OnClosing: false,
    // Every route brings its own zod compilers; Fastify's defaults (ajv) would load for nothing.
    schemaController: ownCompilersOnly,
  })
  // Beyond the cap, new connections are closed as they are accepted (Node's server.maxConnections).
  if (config.AKASHGEN_MAX_CONNECTIONS > 0) app.server.maxConnections = config.AKASHGEN_MAX_CONNECTIONS
  app.decorate('config', config)
  app.decorate('logger', logger)

  // Each plugin names the ones it needs (`dependencies`): registering out of order fails at start-up.
  await app.register(metrics)
  await app.register(upstream)
  await app.register(poller)
  await app.register(jobs)
  await app.register(webhooks)
  await app.register(http)
  await app.register(security)
  await app.register(shutdown)
  await app.register(streams)
  await app.register(services)
  await app.register(openapi)

  registerHealthRoute(app)
  registerMetricsRoute(app, app.metrics)
  registerGenerateRoute(app)
  registerJobRoutes(app)
  await app.register(openAIApi, { prefix: '/v1' })
  await registerTRPC(app, '/trpc', { maxBodySize: BODY_LIMIT })
  await app.register(playgroundPage)
  return app
}
