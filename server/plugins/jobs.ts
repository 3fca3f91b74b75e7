/** The `jobs` plugin: where jobs live (memory or Redis), the engine that runs them, and Idempotency-Key. */
import fp from 'fastify-plugin'
import { maxJobsPerClient } from '../config.ts'
import { Idempotency } from '../idempotency/idempotency.ts'
import { createJobBackend } from '../jobs/backend.ts'
import { JobEngine } from '../jobs/engine.ts'
import type { JobBackend } from '../jobs/job-backend.ts'
import { jobMetrics } from '../metrics/hooks.ts'
import { collectEngineStats } from '../metrics/registry.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The store, queue and shares jobs live in. */
    jobBackend: JobBackend
    /** Admits, runs and reports jobs. */
    engine: JobEngine
    /** Submits jobs once per `Idempotency-Key`. */
    idempotency: Idempotency
  }
}

/** Decorates `jobBackend`, `engine` and `idempotency`; closing the app cancels (or hands over) unfinished jobs. */
export default fp(
  async (app) => {
    const { config, logger, metrics, upstream, poller } = app
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
    app.decorate('jobBackend', backend)
    app.decorate('engine', engine)
    app.decorate(
      'idempotency',
      new Idempotency(backend.idempotency, (jobId, caller) => engine.require(jobId, caller), logger),
    )
    app.addHook('onClose', async () => {
      await engine.close()
      await backend.close()
    })
  },
  { name: 'jobs', dependencies: ['metrics', 'upstream', 'poller'] },
)
