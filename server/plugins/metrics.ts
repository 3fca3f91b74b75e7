/** The `metrics` plugin: the gateway's Prometheus registry, and every answered request counted on it. */
import fp from 'fastify-plugin'
import { installHttpMetrics } from '../metrics/http.ts'
import { createMetrics, type GatewayMetrics } from '../metrics/registry.ts'
import { procedureNames } from '../trpc/router.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's metrics, on a registry of its own. */
    metrics: GatewayMetrics
  }
}

/** Decorates `metrics` and counts requests by route (tRPC by procedure). */
export default fp(
  async (app) => {
    // One registry per app: several apps may run in one process (tests), so never prom-client's global one.
    const metrics = createMetrics()
    app.decorate('metrics', metrics)
    installHttpMetrics(app, metrics, procedureNames)
  },
  { name: 'metrics' },
)
