/** generateImage: submit a prompt, follow the job's live events until it is final, and download the image bytes. */
import type { ErrorCode, GenerateInput, Job } from '@akashgen/contract'
import { isFinalStatus } from '@akashgen/contract'
import { AkashGenError, toAkashGenError } from './errors.ts'
import {
  type AkashGenClient,
  type AkashGenClientOptions,
  createAkashGenClient,
  gatewayBaseUrl,
  resolveHeaders,
} from './trpc-client.ts'

/** Options of generateImage. */
export interface GenerateImageOptions extends AkashGenClientOptions {
  /** Aborting stops the job on the gateway and rejects with code CANCELLED. */
  signal?: AbortSignal
  /** Called with the job view at each of its events: status, queue position or worker changed. */
  onStatus?: (job: Job) => void
  /**
   * Sent as `Idempotency-Key`: calling again with the same key and input within 24 h (after a lost connection,
   * say) follows the same job instead of starting another.
   */
  idempotencyKey?: string
}

/** A finished image. */
export interface GeneratedImage {
  bytes: Uint8Array
  contentType: string
  job: Job
}

/** Generates one image: submits it, follows the job's `jobEvents` stream, downloads the bytes. */
export async function generateImage(
  input: GenerateInput,
  options: GenerateImageOptions,
): Promise<GeneratedImage> {
  const { signal } = options
  const client = createAkashGenClient(withIdempotencyKey(options))
  let jobId: string | undefined
  try {
    signal?.throwIfAborted()
    const accepted = await client.generate.mutate(input, { signal })
    jobId = accepted.jobId
    return await finish(await finalJob(client, jobId, options), options)
  } catch (error) {
    if (signal?.aborted) {
      if (jobId) await client.cancel.mutate({ jobId }).catch(() => {})
      throw new AkashGenError('CANCELLED', 'generateImage was aborted', { cause: signal.reason })
    }
    throw toAkashGenError(error)
  }
}

/** The job's view at its final event, reporting each event to `onStatus` on the way. */
async function finalJob(client: AkashGenClient, jobId: string, options: GenerateImageOptions): Promise<Job> {
  const { signal, onStatus } = options
  // The subscription's iterator unsubscribes (closing the EventSource) when the loop is left in any way.
  for await (const event of client.jobEvents.subscribe({ jobId }, { signal })) {
    const job = event.data.job
    onStatus?.(job)
    signal?.throwIfAborted()
    if (isFinalStatus(job.status)) return job
  }
  signal?.throwIfAborted()
  // The gateway ends streams early only when it shuts down; the job may finish on a restarted gateway.
  throw new AkashGenError(
    'UPSTREAM_UNAVAILABLE',
    "the gateway closed the job's event stream before it ended",
    {
      retryable: true,
    },
  )
}

/** The succeeded job's image bytes; a job that ended otherwise rejects with its error. */
async function finish(job: Job, options: GenerateImageOptions): Promise<GeneratedImage> {
  if (job.status !== 'succeeded' || !job.imageUrl) {
    const code = job.error?.code ?? (job.status === 'timed_out' ? 'JOB_TIMEOUT' : 'JOB_FAILED')
    throw new AkashGenError(code, job.error?.message ?? `job ended ${job.status}`, { job })
  }
  const headers = await resolveHeaders(options)
  const doFetch = options.fetch ?? fetch
  // The view's URL names the host the gateway saw; fetch through the base URL the caller configured.
  const url = new URL(new URL(job.imageUrl).pathname, `${gatewayBaseUrl(options.url)}/`)
  // Node's fetch leaves its abort listener on the signal after the download: give it one of its own, so a
  // caller reusing one signal for many images does not pile up listeners on it.
  const download = new AbortController()
  const onAbort = () => download.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const response = await doFetch(url, { headers, signal: download.signal })
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { code?: ErrorCode; error?: string }
      const message = body.error ?? `image download answered HTTP ${response.status}`
      throw new AkashGenError(body.code ?? 'UPSTREAM_ERROR', message, { job })
    }
    const bytes = new Uint8Array(await response.arrayBuffer())
    return { bytes, contentType: response.headers.get('content-type') ?? 'application/octet-stream', job }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
}

/** The options with the idempotency key added to the headers of every call (this client makes one generate). */
function withIdempotencyKey(options: GenerateImageOptions): AkashGenClientOptions {
  const { idempotencyKey, headers } = options
  if (!idempotencyKey) return options
  return {
    ...options,
    headers: async () => ({
      ...(typeof headers === 'function' ? await headers() : headers),
      'idempotency-key': idempotencyKey,
    }),
  }
}
