/** buildApp: composes the gateway (engine, REST routes, tRPC) without listening, so tests can run it on any port. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { Logger } from 'pino'
import { type Config, maxJobsPerClient } from './config.ts'
import { installConnectionDrain } from './http/connection-drain.ts'
import { edgeOptions } from './http/edge-options.ts'
import { installErrorHandlers } from './http/errors.ts'
import { answerFrameworkError } from './http/framework-errors.ts'
import { registerGenerateRoute } from './http/generate-route.ts'
import { registerHealthRoute } from './http/health-route.ts'
import { registerJobRoutes } from './http/job-routes.ts'
import { registerOpenApi } from './http/openapi/plugin.ts'
import { installRequestLog, requestIdOf } from './http/request-log.ts'
import { installSecurity } from './http/security/install.ts'
import { installShutdownGate } from './http/shutdown-gate.ts'
import { installOpenStreams, type OpenStreams } from './http/sse.ts'
import { Idempotency } from './idempotency/idempotency.ts'
import { createJobBackend } from './jobs/backend.ts'
import { JobEngine } from './jobs/engine.ts'
import { createLogger } from './logger.ts'
import { imageBytesCounter, jobMetrics, upstreamMetrics } from './metrics/hooks.ts'
import { installHttpMetrics, registerMetricsRoute } from './metrics/http.ts'
import { collectCircuitState, collectEngineStats, createMetrics } from './metrics/registry.ts'
import { StatusPoller } from './polling/status-poller.ts'
import type { AppServices } from './services.ts'
import { Shutdown } from './shutdown.ts'
import { registerTRPC } from './trpc/plugin.ts'
import { appRouter } from './trpc/router.ts'
import { CircuitBreaker } from './upstream/circuit-breaker.ts'
import { createUpstreamClient } from './upstream/client.ts'

/** Largest request body accepted, in bytes: far above any valid request (prompts are capped at 2000 chars). */
export const BODY_LIMIT = 64 * 1024

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices
    /** The event streams open right now (REST and tRPC). */
    openStreams: OpenStreams
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
  // One registry per app: several apps may run in one process (tests), so never prom-client's global one.
  const metrics = createMetrics()
  // One breaker per process: the source of truth for "the upstream is down" (readiness, the poller, metrics).
  const circuit = new CircuitBreaker({
    failures: config.AKASHGEN_CIRCUIT_FAILURES,
    windowMs: config.AKASHGEN_CIRCUIT_WINDOW_MS,
    cooldownMs: config.AKASHGEN_CIRCUIT_COOLDOWN_MS,
    maxCooldownMs: Math.max(config.AKASHGEN_CIRCUIT_COOLDOWN_MS, config.AKASHGEN_CIRCUIT_MAX_COOLDOWN_MS),
    logger,
  })
  const upstream = createUpstreamClient({
    baseUrl: config.AKASHGEN_UPSTREAM_URL,
    submitTimeoutMs: config.AKASHGEN_SUBMIT_TIMEOUT_MS,
    statusTimeoutMs: config.AKASHGEN_STATUS_TIMEOUT_MS,
    imageTimeoutMs: config.AKASHGEN_IMAGE_TIMEOUT_MS,
    maxImageBytes: config.AKASHGEN_MAX_IMAGE_BYTES,
    logger,
    observers: [upstreamMetrics(metrics)],
    retry: { retries: config.AKASHGEN_UPSTREAM_RETRIES, baseMs: config.AKASHGEN_UPSTREAM_RETRY_BASE_MS },
    circuit,
  })
  const poller = new StatusPoller(
    (ids, signal) => upstream.status(ids, signal),
    {
      statusRps: config.AKASHGEN_STATUS_RPS,
      coldIntervalMs: config.AKASHGEN_POLL_INTERVAL_MS,
      // While the breaker is open the poller waits for it instead of failing jobs that are already upstream.
      pausedForMs: () => circuit.retryInMs(),
    },
    logger,
  )
  const backend = await createJobBackend(config, logger, {
    // Replicas split the upstream's status-request budget between them.
    onReplicas: (live) => poller.setStatusRps(config.AKASHGEN_STATUS_RPS / live),
  })
  const engine = new JobEngine({
    options: {
      jobTimeoutMs: config.AKASHGEN_JOB_TIMEOUT_MS,
      sweepIntervalMs: Math.min(60_000, config.AKASHGEN_RETENTION_MS),
      imageCacheBytes: config.AKASHGEN_IMAGE_CACHE_BYTES,
      retentionMs: config.AKASHGEN_RETENTION_MS,
      maxImageDownloads: config.AKASHGEN_MAX_IMAGE_DOWNLOADS ?? config.AKASHGEN_MAX_CONCURRENT,
      imageSlotWaitMs: config.AKASHGEN_IMAGE_TIMEOUT_MS,
      onClose: backend.shared ? 'handover' : 'cancel',
      maxJobsPerClient: maxJobsPerClient(config),
    },
    upstream,
    poller,
    store: backend.store,
    queue: backend.queue,
    shares: backend.shares,
    logger,
    observer: jobMetrics(metrics),
  })
  collectEngineStats(metrics, () => engine.stats())
  collectCircuitState(metrics, () => circuit.circuit())
  const services: AppServices = {
    config,
    engine,
    upstream,
    circuit,
    imageBytes: imageBytesCounter(metrics),
    idempotency: new Idempotency(backend.idempotency, (jobId, caller) => engine.require(jobId, caller)),
    shutdown: new Shutdown(),
    logger,
    store: backend,
    startedAt: Date.now(),
  }

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by one of ours (http/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    bodyLimit: BODY_LIMIT,
    // Request timeouts, trusted proxies and the router's longest path segment.
    ...edgeOptions(config),
    // A URL the router cannot read (bad percent-encoding, an over-long segment) gets our error body too.
    frameworkErrors: answerFrameworkError,
    // While closing, requests on open connections get our own 503 SHUTTING_DOWN (shutdown-gate.ts), not Fastify's.
    return503OnClosing: false,
  })
  // Beyond the cap, new connections are closed as they are accepted (Node's server.maxConnections).
  if (config.AKASHGEN_MAX_CONNECTIONS > 0) app.server.maxConnections = config.AKASHGEN_MAX_CONNECTIONS
  app.decorate('services', services)
  // Closing the app is a shutdown, whoever calls it (main.ts begins it earlier, on the signal).
  app.addHook('preClose', async () => services.shutdown.endGrace())
  app.addHook('onClose', async () => {
    await engine.close()
    poller.close()
    await backend.close()
  })
  installConnectionDrain(app)
  // Open event streams are ended (and awaited) before the server closes: they would hold app.close() open.
  const streams = installOpenStreams(app, {
    shares: backend.shares,
    max: config.AKASHGEN_MAX_STREAMS_PER_CLIENT,
  })
  // Read by tests and diagnostics: every stream must be gone once its job is final.
  app.decorate('openStreams', streams)
  installRequestLog(app)
  installHttpMetrics(app, metrics, Object.keys(appRouter._def.procedures))
  installErrorHandlers(app)
  // Before every route: helmet, CORS, and the guard (API keys, rate limits) cover all of them.
  const guard = await installSecurity(app, config, logger)
  installShutdownGate(app, services.shutdown)
  // Before every route: the document collects them as they are added.
  await registerOpenApi(app)
  registerHealthRoute(app)
  registerMetricsRoute(app, metrics)
  registerGenerateRoute(app)
  registerJobRoutes(app)
  await app.register(import('./http/openai/plugin.ts'), { prefix: '/v1' })
  await registerTRPC(app, '/trpc', {
    services,
    streams,
    guard,
    logger,
    maxBatch: config.AKASHGEN_TRPC_MAX_BATCH,
    maxBodySize: BODY_LIMIT,
  })
  await app.register(import('./http/playground.ts'))
  return app
}
