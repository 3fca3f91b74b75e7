/** Where the engine keeps job records and finished images: the interface a Redis store will also fill. */
import type { JobRecord } from './job-record.ts'

/** A stored image. */
export interface StoredImage {
  bytes: Uint8Array
  contentType: string
}

/** Job records and their images. Records are dropped by `sweep` once `retentionMs` has passed since they finished. */
export interface JobStore {
  put(job: JobRecord): void
  get(jobId: string): JobRecord | undefined
  putImage(jobId: string, image: StoredImage): void
  /** The image bytes, or undefined when never stored or evicted to stay under the byte cap. */
  getImage(jobId: string): StoredImage | undefined
  /** Number of records held. */
  size(): number
  /** Drops expired records; returns how many were dropped. */
  sweep(now: number): number
}

/** An in-memory store: records in a Map, images in a byte-capped cache evicting the oldest first. */
export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, JobRecord>()
  /** Insertion-ordered, so the first key is the oldest image. */
  readonly #images = new Map<string, StoredImage>()
  #imageBytes = 0
  readonly #retentionMs: number
  readonly #maxImageBytes: number

  constructor(options: { retentionMs: number; maxImageBytes: number }) {
    this.#retentionMs = options.retentionMs
    this.#maxImageBytes = options.maxImageBytes
  }

  put(job: JobRecord): void {
    this.#jobs.set(job.id, job)
  }

  get(jobId: string): JobRecord | undefined {
    return this.#jobs.get(jobId)
  }

  putImage(jobId: string, image: StoredImage): void {
    if (image.bytes.byteLength > this.#maxImageBytes) return
    this.#dropImage(jobId)
    this.#images.set(jobId, image)
    this.#imageBytes += image.bytes.byteLength
    for (const oldest of this.#images.keys()) {
      if (this.#imageBytes <= this.#maxImageBytes) break
      this.#dropImage(oldest)
    }
  }

  getImage(jobId: string): StoredImage | undefined {
    return this.#images.get(jobId)
  }

  size(): number {
    return this.#jobs.size
  }

  sweep(now: number): number {
    let dropped = 0
    for (const [id, job] of this.#jobs) {
      if (job.finishedAt !== undefined && now - job.finishedAt >= this.#retentionMs) {
        this.#jobs.delete(id)
        this.#dropImage(id)
        dropped++
      }
    }
    return dropped
  }

  #dropImage(jobId: string): void {
    const image = this.#images.get(jobId)
    if (!image) return
    this.#imageBytes -= image.bytes.byteLength
    this.#images.delete(jobId)
  }
}
