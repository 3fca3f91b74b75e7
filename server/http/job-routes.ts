/** `/api/jobs/:id` (view, cancel), `/image` (bytes) and `/events` (the job's live progress as server-sent events). */
import { PassThrough } from 'node:stream'
import { Job, JobEventsInput, JobIdInput } from '@akashgen/contract'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { JobEngine } from '../jobs/engine.ts'
import type { JobRecord } from '../jobs/job-record.ts'
import { eventView, jobView } from '../jobs/job-view.ts'
import { hangUpSignal } from './hang-up.ts'
import {
  binary,
  documented,
  errorResponses,
  IMAGE_TYPES,
  json,
  REQUEST_ID_HEADER,
  type RouteDocs,
} from './openapi/route-docs.ts'
import { originOf } from './origin.ts'
import { parseInput } from './request-input.ts'
import { callerOf } from './security/caller.ts'
import { HEARTBEAT_MS, type OpenStream, SSE_HEARTBEAT, sseMessage } from './sse.ts'

type JobParams = { Params: { id: string } }
type EventsRequest = JobParams & { Querystring: { lastEventId?: string } }

/** The routes in the OpenAPI document; the id is the contract's `jobId`. */
const params = z.object({ id: JobIdInput.shape.jobId.meta({ description: "The job's id (`X-Job-Id`)." }) })
const lookupErrors = errorResponses(['INVALID_REQUEST', 'NOT_FOUND', 'STORE_UNAVAILABLE', 'INTERNAL'])
const JOB_ID_HEADER = { 'X-Job-Id': { description: "The job's id." } }
const viewOf = (description: string) => ({ description, content: json(Job), headers: REQUEST_ID_HEADER })
const DOCS = {
  view: {
    summary: "A job's view",
    tags: ['jobs'],
    params,
    response: { 200: viewOf('The `Job` view now.'), ...lookupErrors },
  },
  cancel: {
    summary: 'Cancel a job',
    description: 'Cancels a job that is not final yet; a final job is left as it is.',
    tags: ['jobs'],
    params,
    response: { 200: viewOf('The `Job` view once cancelled (or as it was, if final).'), ...lookupErrors },
  },
  image: {
    summary: "A finished job's image",
    description:
      'Downloadable while the job is retained (`AKASHGEN_RETENTION_MS`, 1 hour by default); `404 NOT_FOUND` ' +
      'while the job has no image.',
    tags: ['jobs'],
    params,
    response: {
      200: {
        description: 'The image; its `Content-Type` comes from its own bytes.',
        content: binary(...IMAGE_TYPES),
        headers: { ...JOB_ID_HEADER, ...REQUEST_ID_HEADER },
      },
      ...errorResponses([
        'INVALID_REQUEST',
        'NOT_FOUND',
        'INTERNAL',
        'UPSTREAM_ERROR',
        'STORE_UNAVAILABLE',
        'UPSTREAM_TIMEOUT',
      ]),
    },
  },
  events: {
    summary: "A job's live progress, as server-sent events",
    description:
      'One message per change, ending after the final one: `queued` (with the place in line), `running` (with ' +
      'the worker), then one of `succeeded` (with `imageUrl`), `failed`, `cancelled` or `timed_out`. Each ' +
      'message is `id: <event id, increasing>`, `event: <the status>` and `data: <a JobEvent as JSON>` (see ' +
      'the `JobEvent` schema), as the tRPC `jobEvents` subscription yields. An idle stream carries a ' +
      '`: keep-alive` comment every 15 s. Resuming with `Last-Event-ID` (or `?lastEventId=`) gets exactly the ' +
      'events after that id. Closing the stream does not cancel the job.',
    tags: ['jobs'],
    params,
    querystring: z.object({
      lastEventId: JobEventsInput.shape.lastEventId.meta({
        description: 'Resume after this event id, for clients that can not set `Last-Event-ID`.',
      }),
    }),
    headers: z.object({
      'Last-Event-ID': JobEventsInput.shape.lastEventId.meta({
        description: "Resume after this event id (browsers' `EventSource` sends it when reconnecting).",
      }),
    }),
    response: {
      200: {
        description: 'The event stream.',
        content: {
          'text/event-stream': {
            schema: z.string().meta({
              description: 'Messages of `id`, `event` and `data` lines; each `data` is a `JobEvent`.',
              examples: [
                'id: 1\nevent: queued\ndata: {"type":"queued","job":{"jobId":"3f1c...","status":"queued"}}\n\n',
              ],
            }),
          },
        },
        headers: { ...JOB_ID_HEADER, ...REQUEST_ID_HEADER },
      },
      ...errorResponses(['INVALID_REQUEST', 'NOT_FOUND', 'CLIENT_LIMIT', 'STORE_UNAVAILABLE', 'INTERNAL']),
    },
  },
} satisfies Record<string, RouteDocs>

/** Registers the per-job REST routes; `app.openStreams` caps the event streams per caller, ends them on shutdown. */
export function registerJobRoutes(app: FastifyInstance): void {
  const { engine, imageBytes } = app.services
  const streams = app.openStreams
  const jobIdOf = (id: string) => parseInput(JobIdInput, { jobId: id }).jobId

  // Each route reads the job as its caller: another key's job is NOT_FOUND, as an unknown id is.
  app.get<JobParams>('/api/jobs/:id', documented(DOCS.view, { validate: false }), async (request) =>
    jobView(await engine.require(jobIdOf(request.params.id), callerOf(request)), originOf(request)),
  )

  app.delete<JobParams>('/api/jobs/:id', documented(DOCS.cancel, { validate: false }), async (request) =>
    jobView(
      await engine.cancel(jobIdOf(request.params.id), { caller: callerOf(request) }),
      originOf(request),
    ),
  )

  app.get<JobParams>(
    '/api/jobs/:id/image',
    documented(DOCS.image, { validate: false }),
    async (request, reply) => {
      const jobId = jobIdOf(request.params.id)
      // Streamed: the first caller of an uncached image gets bytes as the one shared download brings them, and
      // the image is kept in the cache for the next download.
      const image = await engine.openImage(jobId, {
        caller: callerOf(request),
        signal: hangUpSignal(reply),
        keep: true,
      })
      reply
        .header('content-type', image.contentType)
        .header('cache-control', 'private, max-age=3600, immutable')
        .header('x-job-id', jobId)
      if (image.contentLength !== undefined) reply.header('content-length', String(image.contentLength))
      return reply.send(imageBytes.counted('/api/jobs/:id/image', image, reply.raw))
    },
  )

  app.get<EventsRequest>(
    '/api/jobs/:id/events',
    documented(DOCS.events, { validate: false }),
    async (request, reply) => {
      // Browsers' EventSource resends the last id as a header; callers that cannot set headers use the query.
      const header = [request.headers['last-event-id']].flat()[0]
      const { jobId, lastEventId } = parseInput(JobEventsInput, {
        jobId: request.params.id,
        lastEventId: header || request.query.lastEventId || undefined,
      })
      const caller = callerOf(request)
      const job = await engine.require(jobId, caller)
      const stream = await streams.open(caller.id, () => reply.raw.destroy())
      reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-store, no-transform')
        .header('x-accel-buffering', 'no')
        .header('x-job-id', jobId)
      const body = new PassThrough()
      void streamEvents(engine, job, Number(lastEventId ?? 0), originOf(request), reply, body, stream)
      return reply.send(body)
    },
  )
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
  stream: OpenStream,
): Promise<void> {
  const hangUp = new AbortController()
  // request.signal fires once the request has been read (Fastify 5.12), so watch the response instead. The
  // stream counts as ended for shutdown only once its response is closed, not when its body is ended.
  const close = () => {
    hangUp.abort()
    stream.ended()
  }
  reply.raw.once('close', close)
  // The caller may have gone while its place was being counted: then 'close' has fired already.
  if (reply.raw.destroyed) close()
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
