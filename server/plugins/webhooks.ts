/** The `webhooks` plugin: signed deliveries of job events, queued in memory or, with REDIS_URL, in BullMQ. */
import fp from 'fastify-plugin'
import { retryDelays } from '../config/webhooks.ts'
import { MemoryDeliveryQueue } from '../webhooks/queue.ts'
import { Webhooks } from '../webhooks/webhooks.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Admits generate requests' webhooks and delivers their events. */
    webhooks: Webhooks
  }
}

/** Decorates `webhooks`; closing the app stops deliveries (pending ones stay in Redis when it is used). */
export default fp(
  async (app) => {
    const { config, logger, jobBackend } = app
    const timeoutMs = config.AKASHGEN_WEBHOOK_TIMEOUT_MS
    const queue = config.REDIS_URL
      ? // Loaded only with Redis, like the job backend: bullmq is not needed in memory mode.
        await import('../webhooks/redis-queue.ts').then(
          ({ RedisDeliveryQueue }) =>
            new RedisDeliveryQueue(
              {
                redisUrl: config.REDIS_URL as string,
                prefix: config.AKASHGEN_REDIS_PREFIX,
                // Well beyond one attempt, so a live replica's attempt is never taken over.
                lockMs: Math.max(30_000, 3 * timeoutMs),
              },
              logger,
            ),
        )
      : new MemoryDeliveryQueue()
    const webhooks = new Webhooks(
      {
        secret: config.AKASHGEN_WEBHOOK_SECRET,
        allowHosts: config.AKASHGEN_WEBHOOK_ALLOW_HOSTS ?? [],
        retryDelaysMs: retryDelays(config.AKASHGEN_WEBHOOK_RETRY_DELAYS_MS),
        timeoutMs,
        publicUrl: config.AKASHGEN_PUBLIC_URL,
        onAttempt: (result) => app.metrics.webhookAttempts.inc({ result }),
        recordTtlMs: config.AKASHGEN_JOB_TIMEOUT_MS + config.AKASHGEN_RETENTION_MS,
      },
      jobBackend.store,
      queue,
      logger,
      // The Redis queue also keeps the index of webhook jobs every replica reconciles.
      queue instanceof MemoryDeliveryQueue ? undefined : queue,
    )
    webhooks.start()
    app.decorate('webhooks', webhooks)
    app.addHook('onClose', () => webhooks.close())
  },
  { name: 'webhooks', dependencies: ['metrics', 'jobs'] },
)
