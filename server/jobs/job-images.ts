/** A succeeded job's image: streamed straight from the upstream, or whole and kept in the byte-capped cache. */
import { Readable } from 'node:stream'
import { GatewayError } from '../errors.ts'
import type { UpstreamClient, UpstreamImageStream } from '../upstream/client.ts'
import { ImageCache, type StoredImage } from './image-cache.ts'
import type { JobRecord } from './job-record.ts'

/** Finds and fetches job images; the upstream keeps them, this process caches some. */
export class JobImages {
  readonly #cache: ImageCache
  readonly #upstream: UpstreamClient
  readonly #retentionMs: number

  constructor(options: { cacheBytes: number; retentionMs: number }, upstream: UpstreamClient) {
    this.#cache = new ImageCache(options.cacheBytes)
    this.#retentionMs = options.retentionMs
    this.#upstream = upstream
  }

  /** Drops cached images whose jobs left retention. */
  sweep(now: number): void {
    this.#cache.sweep(now)
  }

  /** The image as a stream: from the cache when there, else relayed from the upstream as it arrives. */
  async open(job: JobRecord, signal?: AbortSignal): Promise<UpstreamImageStream> {
    const result = resultOf(job)
    const cached = this.#cache.get(job.id)
    if (!cached) return this.#upstream.openImage(result, signal)
    const bytes = Buffer.from(cached.bytes.buffer, cached.bytes.byteOffset, cached.bytes.byteLength)
    return {
      contentType: cached.contentType,
      contentLength: bytes.byteLength,
      chunks: Readable.from([bytes]),
    }
  }

  /** The whole image, kept in the cache for the next download. */
  async whole(job: JobRecord, signal?: AbortSignal): Promise<StoredImage> {
    const result = resultOf(job)
    const cached = this.#cache.get(job.id)
    if (cached) return cached
    const image = await this.#upstream.fetchImage(result, signal)
    this.#cache.put(job.id, image, (job.finishedAt ?? Date.now()) + this.#retentionMs)
    return image
  }
}

/** The upstream image reference of a succeeded job; NOT_FOUND for any other job. */
function resultOf(job: JobRecord): string {
  if (job.status === 'succeeded' && job.upstreamResult) return job.upstreamResult
  throw new GatewayError('NOT_FOUND', `job ${job.id} has no image (status ${job.status})`, {
    details: { jobId: job.id, status: job.status },
  })
}
