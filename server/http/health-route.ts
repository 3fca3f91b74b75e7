/** `GET /health`: `{"status":"ok", ...}` as the Go proxy answered, with the gateway's live counts added. */
import type { FastifyInstance } from 'fastify'
import { healthReport } from '../health.ts'
import type { AppServices } from '../services.ts'

/** Registers the health route. */
export function registerHealthRoute(app: FastifyInstance, services: AppServices): void {
  app.get('/health', async () => healthReport(services))
}
