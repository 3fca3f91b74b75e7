/** The `services` plugin: the long-lived parts routes and procedures work with, gathered in one decorator. */
import fp from 'fastify-plugin'
import { imageBytesCounter } from '../metrics/hooks.ts'
import type { AppServices } from '../services.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** What routes and procedures work with: the other plugins' decorators, in one object. */
    services: AppServices
  }
}

/** Decorates `services` from the decorators of the plugins it depends on. */
export default fp(
  async (app) => {
    app.decorate('services', {
      config: app.config,
      engine: app.engine,
      upstream: app.upstream,
      circuit: app.circuit,
      imageBytes: imageBytesCounter(app.metrics),
      idempotency: app.idempotency,
      shutdown: app.shutdown,
      logger: app.logger,
      store: app.jobBackend,
      startedAt: Date.now(),
      webhooks: app.webhooks,
    } satisfies AppServices)
  },
  { name: 'services', dependencies: ['metrics', 'upstream', 'jobs', 'shutdown', 'webhooks'] },
)
