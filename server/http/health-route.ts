/** `GET /health`: `{"status":"ok", ...}` as the Go proxy answered, with the gateway's live counts added. */
import { Health } from '@akashgen/client/contract'
import type { FastifyInstance } from 'fastify'
import { healthReport } from '../health.ts'
import type { AppServices } from '../services.ts'
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

/** Registers the health route. */
export function registerHealthRoute(app: FastifyInstance, services: AppServices): void {
  app.get('/health', documented(HEALTH_DOCS), async () => healthReport(services))
}
