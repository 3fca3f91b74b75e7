// Encoded images shared by jobs, kept in a small LRU so repeated prompts and repeated fetches cost no CPU.
import type { ImageFormat } from '../options.ts'
import { drawImage, reencodeImage } from './draw.ts'
import { padImage } from './pad.ts'

const MAX_ENTRIES = 48

/** What picture to encode and how. */
export interface ImageSpec {
  prompt: string
  format: ImageFormat
  size: number
  padBytes: number
}

/** Draws, pads and re-encodes images, caching the results by every input that changes the bytes. */
export class ImageStore {
  #cache = new Map<string, Promise<Buffer>>()

  /** The encoded (and padded) picture for a spec. */
  render(spec: ImageSpec): Promise<Buffer> {
    const key = `${spec.format}|${spec.size}|${spec.padBytes}|${spec.prompt}`
    return this.#remember(key, async () => {
      const image = await drawImage(spec.prompt, spec.format, spec.size)
      return padImage(image, spec.format, spec.padBytes)
    })
  }

  /** The picture as Next's optimiser would serve it: in `format`, at most width wide, then padded. */
  optimised(spec: ImageSpec, format: ImageFormat, width: number, quality: number): Promise<Buffer> {
    const key = `next|${format}|${width}|${quality}|${spec.format}|${spec.size}|${spec.padBytes}|${spec.prompt}`
    return this.#remember(key, async () => {
      const source = await this.render({ ...spec, padBytes: 0 })
      const image = await reencodeImage(source, format, width, quality)
      return padImage(image, format, spec.padBytes)
    })
  }

  /** Drops every cached image. */
  clear(): void {
    this.#cache.clear()
  }

  #remember(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.#cache.get(key)
    if (hit) {
      this.#cache.delete(key)
      this.#cache.set(key, hit)
      return hit
    }
    const made = make()
    made.catch(() => this.#cache.delete(key))
    this.#cache.set(key, made)
    for (const oldest of this.#cache.keys()) {
      if (this.#cache.size <= MAX_ENTRIES) break
      this.#cache.delete(oldest)
    }
    return made
  }
}
