/** `POST /v1/images/generations`: n jobs through the JobEngine, answered as OpenAI's `{created, data}`. */

import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { GatewayError } from '../../errors.ts'
import { REPLAYED_HEADER } from '../../idempotency/key.ts'
import type { JobEngine } from '../../jobs/engine.ts'
import type { Caller } from '../../jobs/job-access.ts'
import type { JobRecord } from '../../jobs/job-record.ts'
import { imagePath } from '../../jobs/job-view.ts'
import type { JobWebhookRecord } from '../../webhooks/record.ts'
import { originOf } from '../origin.ts'
import { requireJson } from '../request-input.ts'
import { callerOf } from '../security/caller.ts'
import { startSyncWait } from '../sync-wait.ts'
import { servedModels } from './models.ts'
import { type ImagesRequest, imagesRequestParser } from './request.ts'

/** One image of the answer: the bytes in base64, or this gateway's URL of them. */
export type OpenAIImage = { b64_json: string } | { url: string }

/** The answer of `POST /v1/images/generations`. */
export interface OpenAIImagesResponse {
  created: number
  data: OpenAIImage[]
}

/**
 * Registers the route (relative to the plugin's `/v1` prefix). Like `POST /api/generate` it waits for its
 * jobs; a caller who hangs up cancels them all, and one image failing fails the request and cancels the rest.
 */
export function registerImageRoutes(app: FastifyInstance): void {
  const { engine, idempotency, shutdown, config, webhooks } = app.services
  const parseImagesRequest = imagesRequestParser(servedModels(config.AKASHGEN_OPENAI_MODEL_ALIASES))
  app.post('/images/generations', async (request, reply): Promise<OpenAIImagesResponse> => {
    requireJson(request)
    const images = parseImagesRequest(request.body)
    // The guard counted this request once before its body was read; n images are n calls' work.
    await app.apiGuard.charge(request, reply, images.n - 1)
    // One key covers the whole request: its n jobs are submitted once and replayed together.
    const caller = callerOf(request)
    const admitted = await webhooks.admit(images.generate, originOf(request))
    const { jobs, replayed } = await idempotency.submit(
      { scope: 'openai:/v1/images/generations', caller, headers: request.headers, request: images },
      () =>
        submitAll(engine, { ...images, generate: admitted.request }, caller, request.log, admitted.webhook),
    )
    const jobIds = jobs.map((job) => job.id)
    reply.header('x-job-id', jobIds.join(', '))
    if (replayed) reply.header(REPLAYED_HEADER, 'true')
    // One failed image ends the waits still pending and cancels the rest.
    const wait = startSyncWait({ engine, shutdown }, request, reply, jobIds, {
      path: '/v1/images/generations',
      fields: { jobIds },
    })
    try {
      if (wait.signal.aborted) throw wait.signal.reason
      const finals = await Promise.all(jobs.map((job) => succeeded(engine, job.id, wait.signal)))
      const created = Math.floor(Date.now() / 1000)
      if (images.responseFormat === 'url') {
        const origin = originOf(request)
        return { created, data: finals.map((job) => ({ url: origin + imagePath(job.id) })) }
      }
      const stored = await Promise.all(finals.map((job) => engine.image(job.id, { signal: wait.signal })))
      return {
        created,
        data: stored.map(({ bytes }) => ({ b64_json: Buffer.from(bytes).toString('base64') })),
      }
    } catch (error) {
      wait.fail(error, 'cancelled: another image of the same request failed')
      throw error
    } finally {
      wait.end()
    }
  })
}

/**
 * Submits the n jobs for `caller`; when one is refused (a full queue, the caller's share), cancels those
 * already accepted and rethrows.
 */
async function submitAll(
  engine: JobEngine,
  { generate, n }: ImagesRequest,
  caller: Caller,
  log: FastifyBaseLogger,
  webhook?: JobWebhookRecord,
): Promise<JobRecord[]> {
  const jobs: JobRecord[] = []
  try {
    // Each job has a webhook of its own: its deliveries are its own.
    for (let i = 0; i < n; i++)
      jobs.push(await engine.submit(generate, caller, webhook && { ...webhook, deliveries: [] }))
    return jobs
  } catch (error) {
    const reason = 'cancelled: the request could not queue all its images'
    for (const job of jobs)
      void engine
        .cancel(job.id, { reason })
        .catch((err: unknown) => log.warn({ err, jobId: job.id }, 'an accepted image could not be cancelled'))
    throw error
  }
}

/** The job once it has succeeded; throws its error when it ended otherwise. */
async function succeeded(engine: JobEngine, jobId: string, signal: AbortSignal): Promise<JobRecord> {
  const final = await engine.waitForFinal(jobId, signal)
  if (final.status !== 'succeeded')
    throw final.error ?? new GatewayError('INTERNAL', `job ended ${final.status}`)
  return final
}
