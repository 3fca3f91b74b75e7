/** `GET /api/jobs/:id/image`: a finished job's image bytes, while the job is retained. */
import { JobIdInput } from '@akashgen/client/contract'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../services.ts'
import { parseBody } from './parse-body.ts'

/** Registers the per-job REST routes. */
export function registerJobRoutes(app: FastifyInstance, { engine }: AppServices): void {
  app.get<{ Params: { id: string } }>('/api/jobs/:id/image', async (request, reply) => {
    const { jobId } = parseBody(JobIdInput, { jobId: request.params.id })
    const image = await engine.image(jobId)
    return reply
      .header('content-type', image.contentType)
      .header('content-length', String(image.bytes.byteLength))
      .header('cache-control', 'private, max-age=3600, immutable')
      .header('x-job-id', jobId)
      .send(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength))
  })
}
