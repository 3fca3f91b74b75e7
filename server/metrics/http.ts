/** HTTP request metrics (by route pattern, never the raw URL) and the `GET /metrics` route. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { documented, REQUEST_ID_HEADER, type RouteDocs } from '../http/openapi/route-docs.ts'
import type { GatewayMetrics } from './registry.ts'

/** The label of requests no route matched (404s), and of tRPC procedures the router does not have. */
const UNMATCHED = '(unmatched)'
const UNKNOWN_PROCEDURE = '/trpc/(unknown)'

const METRICS_DOCS: RouteDocs = {
  summary: 'Prometheus metrics',
  description:
    'The Prometheus text exposition of this replica: HTTP requests, jobs by final status, slots and queue ' +
    '(deployment-wide with Redis), job timings, upstream requests and drift, image bytes served, and process ' +
    'metrics (from the first scrape on); every name starts with `akashgen_`. The list is in docs/operations.md#metrics-get-metrics.',
  tags: ['service'],
  response: {
    200: {
      description: 'The metrics, in the Prometheus text format 0.0.4.',
      content: {
        'text/plain': {
          schema: z.string().meta({
            examples: ['akashgen_jobs_finished_total{status="succeeded"} 12\nakashgen_slots_in_use 1\n'],
          }),
        },
      },
      headers: REQUEST_ID_HEADER,
    },
  },
}

/**
 * Counts and times every answered request by method, route pattern and status; a tRPC call counts once per
 * procedure it carries (a batch names several), as `/trpc/<procedure>`.
 */
export function installHttpMetrics(
  app: FastifyInstance,
  metrics: GatewayMetrics,
  trpcProcedures: readonly string[],
): void {
  const procedures = new Set(trpcProcedures)
  app.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000
    const status_code = String(reply.statusCode)
    for (const route of routesOf(request, procedures)) {
      const labels = { method: request.method, route, status_code }
      metrics.httpRequests.inc(labels)
      metrics.httpDuration.observe(labels, seconds)
    }
    done()
  })
}

/** The route labels of a request: its pattern, or for tRPC each known procedure (never a caller's free text). */
function routesOf(request: FastifyRequest, procedures: ReadonlySet<string>): string[] {
  const pattern = request.routeOptions.url
  if (pattern === undefined) return [UNMATCHED]
  const path = (request.params as { path?: unknown } | undefined)?.path
  if (!pattern.startsWith('/trpc/') || typeof path !== 'string') return [pattern]
  return path.split(',').map((name) => (procedures.has(name) ? `/trpc/${name}` : UNKNOWN_PROCEDURE))
}

/** Registers `GET /metrics` (open, like `/health`). */
export function registerMetricsRoute(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.get('/metrics', documented(METRICS_DOCS), async (_request, reply) => {
    await metrics.startProcessMetrics()
    const text = await metrics.registry.metrics()
    return reply.header('content-type', metrics.registry.contentType).send(text)
  })
}
