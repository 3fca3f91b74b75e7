/** The AkashGen HTTP client: submit a job, read statuses, download the image, each under its own timeout. */
import type { GenerateRequest } from '@akashgen/contract'
import { GatewayError } from '../errors.ts'
import type { UpstreamClientOptions } from './client-options.ts'
import { guardedCalls } from './guarded-call.ts'
import type { UpstreamResponse } from './http-request.ts'
import { sniffImageType } from './image-body.ts'
import { createImageDownloader, imageBytes, notAnImage, type UpstreamImageStream } from './image-download.ts'
import { resolveImageReference } from './image-reference.ts'
import { createImageRouteMemory, openImageUrls } from './image-routes.ts'
import { MAX_DRIFT_KINDS, MAX_UPSTREAM_JOB_ID_CHARS } from './limits.ts'
import { badStatus, JSON_HEADERS, readJson, type UpstreamOperation, upstreamFetch } from './request.ts'
import { parseStatusAnswer, type StatusAnswer } from './status.ts'

/** What the upstream answered to a submission. */
export interface Submitted {
  upstreamJobId: string
  queuePosition: number
}

/** An image downloaded from the upstream, its type decided from its bytes. */
export interface UpstreamImage {
  bytes: Uint8Array
  contentType: string
}

/** Talks to AkashGen. Every method throws GatewayError (or the signal's reason when the caller aborted). */
export interface UpstreamClient {
  readonly origin: URL
  /** No attempt starts after `deadlineAt` (epoch ms), so retries never outlive the job. */
  submit(request: GenerateRequest, signal?: AbortSignal, deadlineAt?: number): Promise<Submitted>
  /** Statuses of `ids`; ids the upstream does not know are absent from the answer's `jobs`. */
  status(ids: readonly string[], signal?: AbortSignal): Promise<StatusAnswer>
  /** Opens the image for streaming once its first bytes prove it is an image. */
  openImage(result: string, signal?: AbortSignal): Promise<UpstreamImageStream>
  /** Downloads the whole image into memory. */
  fetchImage(result: string, signal?: AbortSignal): Promise<UpstreamImage>
}

/** Creates the client for one upstream origin. */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const origin = new URL(options.baseUrl)
  const downloader = createImageDownloader({
    timeoutMs: options.imageTimeoutMs,
    maxBytes: options.maxImageBytes,
  })
  // How often each kind of drift was seen, so each is logged once; observers (metrics) count every one.
  const drift = new Map<string, number>()
  // Per process: what the upstream's image optimiser served last, so later jobs skip its refusals.
  const imageRoutes = createImageRouteMemory()
  const observers = options.observers ?? []
  const noteDrift = (seenKind: string, detail: Record<string, unknown>) => {
    // An upstream inventing a new status word per answer must not grow the map without end.
    const kind = drift.has(seenKind) || drift.size < MAX_DRIFT_KINDS ? seenKind : 'other'
    const seen = drift.get(kind) ?? 0
    drift.set(kind, seen + 1)
    for (const observer of observers)
      observer.drift(kind.startsWith('status-word:') ? 'unknown_status' : 'unknown_shape')
    if (seen === 0) options.logger.warn({ drift: kind, ...detail }, 'upstream answered something new')
  }
  const { observed, retried } = guardedCalls(options)
  const oversizeLogged = new Set<UpstreamOperation>()
  /** readJson, logging the first over-cap answer of each operation (each one still fails its call). */
  const readJsonOnce = (operation: UpstreamOperation, response: UpstreamResponse) =>
    readJson(operation, response).catch((error: unknown) => {
      const maxBytes = error instanceof GatewayError && (error.details as { maxBytes?: number }).maxBytes
      if (maxBytes && !oversizeLogged.has(operation)) {
        oversizeLogged.add(operation)
        options.logger.warn({ operation, maxBytes }, 'upstream answer over the size limit: refused')
      }
      throw error
    })

  async function submit(request: GenerateRequest, signal?: AbortSignal): Promise<Submitted> {
    const { prompt, negative, sampler, scheduler, preferredGpu } = request
    // Named one by one: fields the gateway keeps for itself never reach the upstream.
    const body = JSON.stringify({ prompt, negative, sampler, scheduler, preferred_gpu: preferredGpu })
    const response = await upstreamFetch(
      'submit',
      new URL('/api/generate', origin),
      { method: 'POST', body, headers: { 'content-type': 'application/json', ...JSON_HEADERS } },
      options.submitTimeoutMs,
      signal,
    )
    if (!response.ok) throw await badStatus('submit', response)
    const answer = (await readJsonOnce('submit', response)) as { job_id?: unknown; queue_position?: unknown }
    const upstreamJobId = typeof answer?.job_id === 'string' ? answer.job_id.trim() : ''
    // Refused rather than cut: a cut id would poll for some other job.
    if (!upstreamJobId || upstreamJobId.length > MAX_UPSTREAM_JOB_ID_CHARS) {
      const why = upstreamJobId ? `a job_id over ${MAX_UPSTREAM_JOB_ID_CHARS} characters` : 'without a job_id'
      throw new GatewayError('UPSTREAM_ERROR', `upstream submit answered ${why}`, {
        details: { operation: 'submit', body: JSON.stringify(answer).slice(0, 200) },
      })
    }
    const position = Number(answer.queue_position)
    return { upstreamJobId, queuePosition: Number.isInteger(position) && position > 0 ? position : 0 }
  }

  async function status(ids: readonly string[], signal?: AbortSignal): Promise<StatusAnswer> {
    const url = new URL('/api/status', origin)
    url.searchParams.set('ids', ids.join(','))
    url.searchParams.set('_t', String(Date.now()))
    const response = await upstreamFetch(
      'status',
      url,
      { headers: { ...JSON_HEADERS, 'cache-control': 'no-cache' } },
      options.statusTimeoutMs,
      signal,
    )
    if (response.status === 404) {
      // Best-effort cleanup of an unread body; the 404 itself is what gets reported.
      response.body.destroy()
      return { shape: 'array', jobs: new Map() }
    }
    if (!response.ok) throw await badStatus('status', response)
    const body = await readJsonOnce('status', response)
    const answer = parseStatusAnswer(body)
    if (!answer) {
      noteDrift('status-shape:unrecognised', { body: JSON.stringify(body).slice(0, 200) })
      throw new GatewayError('UPSTREAM_ERROR', 'upstream status answer has no recognisable shape', {
        details: { operation: 'status', body: JSON.stringify(body).slice(0, 200) },
      })
    }
    if (answer.shape !== 'array' && answer.shape !== 'not-found-string')
      noteDrift(`status-shape:${answer.shape}`, {})
    for (const job of answer.jobs.values()) {
      if (job.phase === 'unknown') noteDrift(`status-word:${job.rawStatus}`, { jobId: job.jobId })
    }
    return answer
  }

  async function openImage(result: string, signal?: AbortSignal): Promise<UpstreamImageStream> {
    const source = resolveImageReference(result, origin, options.allowedImageOrigins, options.maxImageBytes)
    if (source.kind === 'inline') {
      const { bytes } = source
      const contentType = sniffImageType(bytes)
      if (!contentType) throw notAnImage(bytes, 'data URL')
      const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      return { contentType, contentLength: whole.byteLength, bytes: whole }
    }
    return openImageUrls(source.urls, {
      open: (url) => downloader.open(url, signal),
      origin,
      allowedOrigins: options.allowedImageOrigins,
      memory: imageRoutes,
      logger: options.logger,
      signal,
    })
  }

  async function fetchImage(result: string, signal?: AbortSignal): Promise<UpstreamImage> {
    const image = await openImage(result, signal)
    return { bytes: new Uint8Array(await imageBytes(image)), contentType: image.contentType }
  }

  return {
    origin,
    submit: (request, signal, deadlineAt) =>
      retried('submit', signal, deadlineAt, () => submit(request, signal)),
    status: (ids, signal) => retried('status', signal, undefined, () => status(ids, signal)),
    openImage: (result, signal) => observed('image', signal, () => openImage(result, signal)),
    fetchImage: (result, signal) => observed('image', signal, () => fetchImage(result, signal)),
  }
}

export { IMAGE_ACCEPT, type ImageHead, imageBytes, type UpstreamImageStream } from './image-download.ts'
