/** `POST /api/generate`: the Go proxy's route, unchanged for curl users: JSON in, image bytes out. */
import { GenerateInput } from '@akashgen/client/contract'
import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../errors.ts'
import type { JobRecord } from '../jobs/job-record.ts'
import { jobView } from '../jobs/job-view.ts'
import type { AppServices } from '../services.ts'
import { originOf } from './origin.ts'
import { parseBody, requireJson } from './parse-body.ts'
import { preferredWaitS, wantsJobView } from './preferences.ts'

/**
 * Registers the synchronous generate route. It waits for the job and streams the image; `Prefer: wait=N`
 * bounds the wait (then 202 and `Location`), `Accept: application/json` answers the `Job` view instead.
 */
export function registerGenerateRoute(app: FastifyInstance, { engine }: AppServices): void {
  app.post('/api/generate', async (request, reply) => {
    requireJson(request)
    const input = parseBody(GenerateInput, request.body)
    const waitS = preferredWaitS([request.headers.prefer].flat().join(', ') || undefined)
    const job = await engine.submit(input)
    const unfollow = engine.follow(job.id)
    reply.header('x-job-id', job.id)
    // request.signal fires once the body is read (Fastify 5.12), so watch the socket instead.
    const hangUp = new AbortController()
    reply.raw.once('close', () => {
      if (!reply.raw.writableEnded) hangUp.abort(new GatewayError('CANCELLED', 'the caller hung up'))
    })
    try {
      const final = await settled(engine.waitForFinal(job.id, hangUp.signal), waitS)
      if (!final) {
        const location = `/api/jobs/${job.id}`
        if (waitS !== undefined) reply.header('preference-applied', `wait=${waitS}`)
        reply
          .code(202)
          .header('location', location)
          .header('retry-after', String(Math.min(30, job.queuePosition + 1)))
        return jobView(job, originOf(request))
      }
      if (final.status !== 'succeeded')
        throw final.error ?? new GatewayError('INTERNAL', `job ended ${final.status}`)
      describeJob(final, reply)
      if (wantsJobView(request.headers.accept)) return jobView(final, originOf(request))
      const image = await engine.openImage(job.id, hangUp.signal)
      reply.header('content-type', image.contentType)
      if (image.contentLength !== undefined) reply.header('content-length', String(image.contentLength))
      return reply.send(image.chunks)
    } catch (error) {
      if (hangUp.signal.aborted) {
        unfollow()
        void engine.abandon(job.id, 'cancelled: the caller hung up').catch(() => {})
        const ms = Math.round(reply.elapsedTime)
        request.log.info(
          { method: 'POST', path: '/api/generate', status: 499, ms, jobId: job.id },
          'caller hung up',
        )
      }
      throw error
    } finally {
      unfollow()
    }
  })
}

/** The job once final, or undefined when `waitS` seconds pass first. */
async function settled(final: Promise<JobRecord>, waitS: number | undefined): Promise<JobRecord | undefined> {
  if (waitS === undefined) return final
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitS * 1000)
  })
  try {
    return await Promise.race([final, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Headers with the job's upstream facts. */
function describeJob(job: JobRecord, reply: { header(name: string, value: string): unknown }): void {
  if (job.worker?.gpu) reply.header('x-worker-gpu', job.worker.gpu)
  if (job.upstreamElapsedS !== undefined) reply.header('x-upstream-elapsed', job.upstreamElapsedS.toFixed(3))
}
