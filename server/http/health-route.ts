/** `GET /health`: `{"status":"ok", ...}` as the Go proxy answered, with the gateway's live counts added. */
import { Health, Readiness } from '@akashgen/contract'
import type { FastifyInstance } from 'fastify'
import { healthReport, readiness } from '../health.ts'
import { documented, errorResponses, json, REQUEST_ID_HEADER, type RouteDocs } from './openapi/route-docs.ts'

/** The route in the OpenAPI document. */
const HEALTH_DOCS: RouteDocs = {
  summary: "The gateway's health and live counts",
  tags: ['service'],
  response: {
    200: { description: 'The health report.', content: json(Health), headers: REQUEST_ID_HEADER },
    ...errorResponses(['INTERNAL']),
  },
}

const READY_DOCS: RouteDocs = {
  summary: 'Whether this replica should get traffic now',
  description:
    'For load balancers and orchestrators: 503 while the job store (Redis) is down, the line is full, or the ' +
    'upstream is unreachable (the upstream circuit breaker is open: by default its last 5 requests all failed ' +
    'with a network error, a timeout or a 5xx within 30 s, and the cool-down before the next probe is not over).',
  tags: ['service'],
  response: {
    200: { description: 'Ready.', content: json(Readiness), headers: REQUEST_ID_HEADER },
    503: {
      description: 'Not ready; `reasons` says why.',
      content: json(Readiness),
      headers: REQUEST_ID_HEADER,
    },
  },
}

/** Registers the liveness (`/health`, always 200 while the process runs) and readiness (`/ready`) routes. */
export function registerHealthRoute(app: FastifyInstance): void {
  const { services } = app
  app.get('/health', documented(HEALTH_DOCS), async () => healthReport(services))
  app.get('/ready', documented(READY_DOCS), async (_request, reply) => {
    const state = readiness(await healthReport(services))
    return reply.code(state.ready ? 200 : 503).send(state)
  })
}
