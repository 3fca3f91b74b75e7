/** `/api/jobs/:id` (view, cancel), `/image` (bytes) and `/events` (the job's live progress as server-sent events). */
import { PassThrough } from 'node:stream'
import { JobEventsInput, JobIdInput } from '@akashgen/client/contract'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { JobEngine } from '../jobs/engine.ts'
import type { JobRecord } from '../jobs/job-record.ts'
import { eventView, jobView } from '../jobs/job-view.ts'
import type { AppServices } from '../services.ts'
import { originOf } from './origin.ts'
import { parseBody } from './parse-body.ts'
import { HEARTBEAT_MS, type OpenStreams, SSE_HEARTBEAT, sseMessage } from './sse.ts'

type JobParams = { Params: { id: string } }
type EventsRequest = JobParams & { Querystring: { lastEventId?: string } }

/** Registers the per-job REST routes; `streams` tracks the open event streams for shutdown. */
export function registerJobRoutes(app: FastifyInstance, { engine }: AppServices, streams: OpenStreams): void {
  const jobIdOf = (id: string) => parseBody(JobIdInput, { jobId: id }).jobId

  app.get<JobParams>('/api/jobs/:id', async (request) =>
    jobView(await engine.require(jobIdOf(request.params.id)), originOf(request)),
  )

  app.delete<JobParams>('/api/jobs/:id', async (request) =>
    jobView(await engine.cancel(jobIdOf(request.params.id)), originOf(request)),
  )

  app.get<JobParams>('/api/jobs/:id/image', async (request, reply) => {
    const jobId = jobIdOf(request.params.id)
    const image = await engine.image(jobId)
    return reply
      .header('content-type', image.contentType)
      .header('content-length', String(image.bytes.byteLength))
      .header('cache-control', 'private, max-age=3600, immutable')
      .header('x-job-id', jobId)
      .send(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength))
  })

  app.get<EventsRequest>('/api/jobs/:id/events', async (request, reply) => {
    // Browsers' EventSource resends the last id as a header; callers that cannot set headers use the query.
    const header = [request.headers['last-event-id']].flat()[0]
    const { jobId, lastEventId } = parseBody(JobEventsInput, {
      jobId: request.params.id,
      lastEventId: header || request.query.lastEventId || undefined,
    })
    const job = await engine.require(jobId)
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no')
      .header('x-job-id', jobId)
    const body = new PassThrough()
    void streamEvents(engine, job, Number(lastEventId ?? 0), originOf(request), reply, body, streams)
    return reply.send(body)
  })
}

/**
 * Writes the job's events after `afterSeq` to `body` and ends it after the final one, on shutdown, or when the
 * caller hangs up. A hang-up does not cancel the job: watching is not owning (only the sync route's caller
 * owns its job); the stream follows the job while it is open, so a sync caller's hang-up leaves it running.
 */
async function streamEvents(
  engine: JobEngine,
  job: JobRecord,
  afterSeq: number,
  origin: string,
  reply: FastifyReply,
  body: PassThrough,
  streams: OpenStreams,
): Promise<void> {
  const stream = streams.open(() => reply.raw.destroy())
  const hangUp = new AbortController()
  // request.signal fires once the request has been read (Fastify 5.12), so watch the response instead. The
  // stream counts as ended for shutdown only once its response is closed, not when its body is ended.
  reply.raw.once('close', () => {
    hangUp.abort()
    stream.ended()
  })
  const unfollow = engine.follow(job.id)
  const heartbeat = setInterval(() => body.write(SSE_HEARTBEAT), HEARTBEAT_MS)
  try {
    const stop = AbortSignal.any([hangUp.signal, stream.signal])
    for await (const event of engine.events(job.id, afterSeq, stop)) {
      body.write(sseMessage(String(event.seq), event.status, eventView(job, event, origin)))
    }
  } catch (error) {
    reply.log.warn({ err: error, jobId: job.id }, 'job event stream failed')
  } finally {
    clearInterval(heartbeat)
    unfollow()
    body.end()
  }
}
