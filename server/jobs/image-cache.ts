/** A byte-capped, per-process cache of finished images, evicting the oldest first and the expired on a sweep. */

/** A stored image. */
export interface StoredImage {
  bytes: Uint8Array
  contentType: string
}

/** Images by job id; never holds more than `maxBytes` in all, and skips an image larger than that. */
export class ImageCache {
  /** Insertion-ordered, so the first key is the oldest image. */
  readonly #images = new Map<string, StoredImage>()
  /** When each image's job leaves retention: its image must not outlive its record. */
  readonly #expiresAt = new Map<string, number>()
  #bytes = 0
  readonly #maxBytes: number

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes
  }

  /** Keeps `image` until `expiresAt` (or until newer images push it out). */
  put(jobId: string, image: StoredImage, expiresAt: number): void {
    if (image.bytes.byteLength > this.#maxBytes) return
    this.drop(jobId)
    this.#images.set(jobId, image)
    this.#expiresAt.set(jobId, expiresAt)
    this.#bytes += image.bytes.byteLength
    for (const oldest of this.#images.keys()) {
      if (this.#bytes <= this.#maxBytes) break
      this.drop(oldest)
    }
  }

  /** The image, or undefined when never stored or evicted to stay under the byte cap. */
  get(jobId: string): StoredImage | undefined {
    return this.#images.get(jobId)
  }

  drop(jobId: string): void {
    const image = this.#images.get(jobId)
    if (!image) return
    this.#bytes -= image.bytes.byteLength
    this.#images.delete(jobId)
    this.#expiresAt.delete(jobId)
  }

  /** Drops the images whose jobs left retention; returns how many. */
  sweep(now: number): number {
    let dropped = 0
    for (const [jobId, expiresAt] of this.#expiresAt) {
      if (expiresAt > now) continue
      this.drop(jobId)
      dropped++
    }
    return dropped
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes
  }
}
