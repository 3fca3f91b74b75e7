/** A byte-capped, per-process cache of finished images, evicting the oldest first. */

/** A stored image. */
export interface StoredImage {
  bytes: Uint8Array
  contentType: string
}

/** Images by job id; never holds more than `maxBytes` in all, and skips an image larger than that. */
export class ImageCache {
  /** Insertion-ordered, so the first key is the oldest image. */
  readonly #images = new Map<string, StoredImage>()
  #bytes = 0
  readonly #maxBytes: number

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes
  }

  put(jobId: string, image: StoredImage): void {
    if (image.bytes.byteLength > this.#maxBytes) return
    this.drop(jobId)
    this.#images.set(jobId, image)
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
  }
}
