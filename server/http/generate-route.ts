/** `POST /api/generate`: the Go proxy's route, unchanged for curl users: JSON in, image bytes out. */

import { GenerateInput, Job } from '@akashgen/contract'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { GatewayError } from '../errors.ts'
import { IdempotencyKeyHeader, REPLAYED_HEADER_DOC } from '../idempotency/docs.ts'
import { REPLAYED_HEADER } from '../idempotency/key.ts'
import type { JobEngine } from '../jobs/engine.ts'
import type { JobRecord } from '../jobs/job-record.ts'
import { jobView } from '../jobs/job-view.ts'
import { acceptUpstreamGpuSpelling } from './gpu-spelling.ts'
import { headerValue } from './header-value.ts'
import {
  binary,
  documented,
  errorResponses,
  IMAGE_TYPES,
  json,
  REQUEST_ID_HEADER,
  RETRY_AFTER_HEADER,
  type RouteDocs,
} from './openapi/route-docs.ts'
import { originOf } from './origin.ts'
import { preferredWaitS, wantsJobView } from './preferences.ts'
import { requireJson } from './request-input.ts'
import { callerOf } from './security/caller.ts'
import { startSyncWait } from './sync-wait.ts'

const JOB_ID_HEADER = { 'X-Job-Id': { description: "The gateway's id of the job." } }

/** The route in the OpenAPI document: the body is the contract's `GenerateInput`. */
const GENERATE_DOCS = {
  summary: 'Generate an image: prompt in, image bytes out',
  description:
    'Waits for the job and answers the image, streamed as it arrives; its `Content-Type` comes from its own ' +
    'bytes. With `Accept: application/json` the answer is the finished `Job` view instead of the bytes. A ' +
    'caller who hangs up cancels the job (unless its event stream is open). The body may spell `preferredGpu` ' +
    'as the upstream does, `preferred_gpu`; both at once must be the same list.',
  tags: ['images'],
  body: GenerateInput,
  headers: z.object({
    'Idempotency-Key': IdempotencyKeyHeader,
    Prefer: z
      .string()
      .optional()
      .meta({
        description:
          '`wait=N`: answer `202` with the job after at most N seconds if it is not done by then (it goes on); ' +
          '`respond-async` is `wait=0`.',
        examples: ['wait=5', 'respond-async'],
      }),
  }),
  response: {
    200: {
      description: 'The image; or, with `Accept: application/json`, the finished `Job` view.',
      content: { ...binary(...IMAGE_TYPES), ...json(Job) },
      headers: {
        ...JOB_ID_HEADER,
        'X-Worker-Gpu': {
          description:
            'The GPU that made the image, percent-encoded beyond visible ASCII (`RTX%E2%84%A2 4090`; ' +
            '`decodeURIComponent` gives the name the `Job` view carries).',
        },
        'X-Upstream-Elapsed': { description: 'Seconds the upstream spent on the job, e.g. `4.213`.' },
        ...REPLAYED_HEADER_DOC,
        ...REQUEST_ID_HEADER,
      },
    },
    202: {
      description:
        '`Prefer: wait=N` expired first: the `Job` view so far. The job goes on; follow it at `Location` ' +
        '(`/events` for live progress) and fetch the image from its `/image` once succeeded.',
      content: json(Job),
      headers: {
        Location: { description: 'The job: `/api/jobs/{id}`.' },
        ...RETRY_AFTER_HEADER,
        'Preference-Applied': { description: 'The wait applied, e.g. `wait=5`.' },
        ...JOB_ID_HEADER,
        ...REPLAYED_HEADER_DOC,
        ...REQUEST_ID_HEADER,
      },
    },
    ...errorResponses([
      'INVALID_REQUEST',
      'NOT_FOUND',
      'IDEMPOTENCY_CONFLICT',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'QUEUE_FULL',
      'CLIENT_LIMIT',
      'CANCELLED',
      'INTERNAL',
      'JOB_FAILED',
      'UPSTREAM_ERROR',
      'STORE_UNAVAILABLE',
      'SHUTTING_DOWN',
      'UPSTREAM_TIMEOUT',
      'JOB_TIMEOUT',
    ]),
  },
} satisfies RouteDocs

/**
 * A body that is not JSON is refused with 415 before the library validates it (text/plain parses as a string);
 * the upstream's `preferred_gpu` spelling becomes the contract's `preferredGpu` before the contract checks it.
 * A callback hook: an async one costs a promise per request.
 */
const requireJsonBody = (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
  requireJson(request)
  acceptUpstreamGpuSpelling(request.body)
  done()
}

/**
 * Registers the synchronous generate route. It waits for the job and streams the image; `Prefer: wait=N`
 * bounds the wait (then 202 and `Location`), `Accept: application/json` answers the `Job` view instead.
 */
export function registerGenerateRoute(app: FastifyInstance): void {
  const { engine, imageBytes, idempotency, shutdown, webhooks } = app.services
  const route = { ...documented(GENERATE_DOCS), preValidation: requireJsonBody }
  app.withTypeProvider<ZodTypeProvider>().post('/api/generate', route, async (request, reply) => {
    const input = request.body
    const waitS = preferredWaitS([request.headers.prefer].flat().join(', ') || undefined)
    const caller = callerOf(request)
    const admitted = await webhooks.admit(input, originOf(request))
    const { jobs, replayed } = await idempotency.submit(
      { scope: 'rest:/api/generate', caller, headers: request.headers, request: input },
      async () => [await engine.submit(admitted.request, caller, admitted.webhook)],
    )
    const job = jobs[0] as JobRecord
    reply.header('x-job-id', job.id)
    if (replayed) reply.header(REPLAYED_HEADER, 'true')
    // The end of the shutdown grace answers SHUTTING_DOWN to a caller whose job was handed over.
    const wait = startSyncWait({ engine, shutdown }, request, reply, [job.id], {
      path: '/api/generate',
      fields: { jobId: job.id },
    })
    try {
      const final = await finalWithin(engine, job.id, wait.signal, waitS)
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
      const image = await engine.openImage(job.id, { signal: wait.hangUp() })
      reply.header('content-type', image.contentType)
      if (image.contentLength !== undefined) reply.header('content-length', String(image.contentLength))
      return reply.send(imageBytes.counted('/api/generate', image, reply.raw))
    } catch (error) {
      wait.fail(error)
      throw error
    } finally {
      wait.end()
    }
  })
}

/** The job once final, or undefined when `waitS` seconds pass first (the wait then lets go of the job). */
async function finalWithin(
  engine: JobEngine,
  jobId: string,
  signal: AbortSignal,
  waitS: number | undefined,
): Promise<JobRecord | undefined> {
  if (waitS === undefined) return engine.waitForFinal(jobId, signal)
  const timeout = AbortSignal.timeout(waitS * 1000)
  // Both sources live no longer than this request, so AbortSignal.any's hold on them leaks nothing (abort-link.ts).
  try {
    return await engine.waitForFinal(jobId, AbortSignal.any([signal, timeout]))
  } catch (error) {
    if (timeout.aborted && !signal.aborted) return undefined
    throw error
  }
}

/** Headers with the job's upstream facts. */
function describeJob(job: JobRecord, reply: { header(name: string, value: string): unknown }): void {
  if (job.worker?.gpu) reply.header('x-worker-gpu', headerValue(job.worker.gpu))
  if (job.upstreamElapsedS !== undefined) reply.header('x-upstream-elapsed', job.upstreamElapsedS.toFixed(3))
}
