/** generateImage: submit a prompt, follow the job until it is final, and download the image bytes. */
import type { ErrorCode, GenerateInput, Job } from './contract/index.ts'
import { isFinalStatus } from './contract/index.ts'
import { AkashGenError, toAkashGenError } from './errors.ts'
import { type AkashGenClientOptions, createAkashGenClient, gatewayBaseUrl } from './trpc-client.ts'

/** Options of generateImage. */
export interface GenerateImageOptions extends AkashGenClientOptions {
  /** Aborting stops the job on the gateway and rejects with code CANCELLED. */
  signal?: AbortSignal
  /** Called with the job view whenever its status, queue position or worker changes. */
  onStatus?: (job: Job) => void
  /** Time between status checks, in milliseconds (default 500). */
  pollIntervalMs?: number
}

/** A finished image. */
export interface GeneratedImage {
  bytes: Uint8Array
  contentType: string
  job: Job
}

// Checks the signal first (it may have been aborted from onStatus) and removes its listener when the timer
// fires, so a long job does not pile up one abort listener per poll.
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** Generates one image. Rejects with an AkashGenError carrying the gateway's code. */
export async function generateImage(
  input: GenerateInput,
  options: GenerateImageOptions,
): Promise<GeneratedImage> {
  const { signal, onStatus, pollIntervalMs = 500 } = options
  const client = createAkashGenClient(options)
  let jobId: string | undefined
  try {
    signal?.throwIfAborted()
    const accepted = await client.generate.mutate(input, { signal })
    jobId = accepted.jobId
    let last = ''
    for (;;) {
      const job = await client.jobStatus.query({ jobId }, { signal })
      const seen = `${job.status}|${job.queuePosition}|${job.worker?.name ?? ''}`
      if (seen !== last) onStatus?.(job)
      last = seen
      if (isFinalStatus(job.status)) return await finish(job, options)
      await sleep(pollIntervalMs, signal)
    }
  } catch (error) {
    if (signal?.aborted) {
      if (jobId) await client.cancel.mutate({ jobId }).catch(() => {})
      throw new AkashGenError('CANCELLED', 'generateImage was aborted', { cause: signal.reason })
    }
    throw toAkashGenError(error)
  }
}

async function finish(job: Job, options: GenerateImageOptions): Promise<GeneratedImage> {
  if (job.status !== 'succeeded' || !job.imageUrl) {
    const code = job.error?.code ?? (job.status === 'timed_out' ? 'JOB_TIMEOUT' : 'JOB_FAILED')
    throw new AkashGenError(code, job.error?.message ?? `job ended ${job.status}`, { job })
  }
  const headers = typeof options.headers === 'function' ? await options.headers() : options.headers
  const doFetch = options.fetch ?? fetch
  // The view's URL names the host the gateway saw; fetch through the base URL the caller configured.
  const url = new URL(new URL(job.imageUrl).pathname, `${gatewayBaseUrl(options.url)}/`)
  const response = await doFetch(url, { headers, signal: options.signal })
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: ErrorCode; error?: string }
    const message = body.error ?? `image download answered HTTP ${response.status}`
    throw new AkashGenError(body.code ?? 'UPSTREAM_ERROR', message, { job })
  }
  const bytes = new Uint8Array(await response.arrayBuffer())
  return { bytes, contentType: response.headers.get('content-type') ?? 'application/octet-stream', job }
}
