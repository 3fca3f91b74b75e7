/** `POST /api/generate`: the Go proxy's route, unchanged for curl users: JSON in, image bytes out. */
import { GenerateInput } from '@akashgen/client/contract'
import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../errors.ts'
import type { AppServices } from '../services.ts'
import { parseBody, requireJson } from './parse-body.ts'

/** Registers the synchronous generate route: it waits for the job and answers with the image. */
export function registerGenerateRoute(app: FastifyInstance, { engine }: AppServices): void {
  app.post('/api/generate', async (request, reply) => {
    requireJson(request)
    const input = parseBody(GenerateInput, request.body)
    const job = engine.submit(input)
    reply.header('x-job-id', job.id)
    // request.signal fires once the body is read (Fastify 5.12), so watch the socket instead.
    const hangUp = new AbortController()
    reply.raw.once('close', () => {
      if (!reply.raw.writableEnded) hangUp.abort(new GatewayError('CANCELLED', 'the caller hung up'))
    })
    try {
      const final = await engine.waitForFinal(job.id, hangUp.signal)
      if (final.status !== 'succeeded')
        throw final.error ?? new GatewayError('INTERNAL', `job ended ${final.status}`)
      const image = await engine.image(job.id, hangUp.signal)
      return reply
        .header('content-type', image.contentType)
        .header('content-length', String(image.bytes.byteLength))
        .header('x-worker-gpu', final.worker?.gpu ?? '')
        .send(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength))
    } catch (error) {
      if (hangUp.signal.aborted) {
        engine.cancel(job.id, 'cancelled: the caller hung up')
        const ms = Math.round(reply.elapsedTime)
        request.log.info(
          { method: 'POST', path: '/api/generate', status: 499, ms, jobId: job.id },
          'caller hung up',
        )
      }
      throw error
    }
  })
}
