/**
 * A succeeded job's image: from the byte-capped cache, else from one shared upstream download per job (see
 * image-flight.ts), under a cap on downloads at once across jobs.
 */
import { GatewayError } from '../errors.ts'
import { imageBytes, type UpstreamClient, type UpstreamImageStream } from '../upstream/client.ts'
import { DownloadSlots } from './download-slots.ts'
import { ImageCache, type StoredImage } from './image-cache.ts'
import { ImageFlight } from './image-flight.ts'
import type { JobRecord } from './job-record.ts'

/** Settings of the job images. */
export interface JobImagesOptions {
  cacheBytes: number
  retentionMs: number
  /** Upstream image downloads at once, across jobs; callers beyond it wait. */
  maxDownloads: number
  /** Longest wait for a download slot (the image timeout): then UPSTREAM_TIMEOUT. */
  slotWaitMs: number
}

/** Finds and fetches job images; the upstream keeps them, this process caches some. */
export class JobImages {
  readonly #cache: ImageCache
  readonly #upstream: UpstreamClient
  readonly #options: JobImagesOptions
  readonly #slots: DownloadSlots
  /** The download in progress for each job, shared by all its callers. */
  readonly #flights = new Map<string, ImageFlight>()

  constructor(options: JobImagesOptions, upstream: UpstreamClient) {
    this.#cache = new ImageCache(options.cacheBytes)
    this.#options = options
    this.#slots = new DownloadSlots(options.maxDownloads)
    this.#upstream = upstream
  }

  /** Drops cached images whose jobs left retention. */
  sweep(now: number): void {
    this.#cache.sweep(now)
  }

  /** Downloads running and callers waiting for a download slot. */
  get downloads(): { inUse: number; waiting: number } {
    return this.#slots.counts
  }

  /**
   * The image as a stream: from the cache when there, else joined to the job's one upstream download. `keep`
   * puts it in the cache once whole (a download route); the sync route's callers rarely ask twice, so not.
   */
  async open(job: JobRecord, signal?: AbortSignal, keep = false): Promise<UpstreamImageStream> {
    const result = resultOf(job)
    const cached = this.#cache.get(job.id)
    if (!cached) return this.#flightFor(job, result).join(signal, keep)
    const bytes = Buffer.from(cached.bytes.buffer, cached.bytes.byteOffset, cached.bytes.byteLength)
    return { contentType: cached.contentType, contentLength: bytes.byteLength, bytes }
  }

  /** The whole image (the download it joins leaves it in the cache for the next caller). */
  async whole(job: JobRecord, signal?: AbortSignal): Promise<StoredImage> {
    const cached = this.#cache.get(job.id)
    if (cached) return cached
    const image = await this.open(job, signal, true)
    return { bytes: new Uint8Array(await imageBytes(image)), contentType: image.contentType }
  }

  #flightFor(job: JobRecord, result: string): ImageFlight {
    const current = this.#flights.get(job.id)
    // A flight that let go of its first bytes cannot serve a new caller: that one gets a download of its own.
    if (current?.joinable) return current
    const expiresAt = (job.finishedAt ?? Date.now()) + this.#options.retentionMs
    const flight = new ImageFlight(
      (signal) => this.#download(result, signal),
      (image) => {
        if (this.#flights.get(job.id) === flight) this.#flights.delete(job.id)
        if (image) this.#cache.put(job.id, image, expiresAt)
      },
      // Images are up to AKASHGEN_MAX_IMAGE_BYTES each: holding every one whole while it streams would grow the
      // process by that much per caller (issue 13's 50 callers of 2 MiB images).
      { releaseDelivered: true },
    )
    this.#flights.set(job.id, flight)
    return flight
  }

  /** Takes a download slot (waiting at most slotWaitMs), opens the image, and frees the slot when it ends. */
  async #download(result: string, signal: AbortSignal): Promise<UpstreamImageStream> {
    signal.throwIfAborted()
    // A free slot is taken at once, without the wait's controller, timer and combined signal (every image).
    const release = this.#slots.tryAcquire() ?? (await this.#waitForSlot(signal))
    try {
      const image = await this.#upstream.openImage(result, signal)
      if (image.bytes) release()
      else image.chunks.once('close', release)
      return image
    } catch (error) {
      release()
      throw error
    }
  }

  /** Waits at most slotWaitMs for a download slot; UPSTREAM_TIMEOUT when none came free. */
  async #waitForSlot(signal: AbortSignal): Promise<() => void> {
    const waitMs = this.#options.slotWaitMs
    const wait = new AbortController()
    // A timer of our own, cleared as soon as a slot is granted: none outlives the wait.
    const timer = setTimeout(() => wait.abort(), waitMs)
    return this.#slots
      .acquire(AbortSignal.any([signal, wait.signal]))
      .catch((error: unknown) => {
        if (signal.aborted || !wait.signal.aborted) throw error
        throw new GatewayError('UPSTREAM_TIMEOUT', `no image download slot came free within ${waitMs} ms`, {
          details: { operation: 'image', timeoutMs: waitMs, maxDownloads: this.#options.maxDownloads },
        })
      })
      .finally(() => clearTimeout(timer))
  }
}

/** The upstream image reference of a succeeded job; NOT_FOUND for any other job. */
function resultOf(job: JobRecord): string {
  if (job.status === 'succeeded' && job.upstreamResult) return job.upstreamResult
  throw new GatewayError('NOT_FOUND', `job ${job.id} has no image (status ${job.status})`, {
    details: { jobId: job.id, status: job.status },
  })
}
