/** One upstream image download shared by every caller of the same job's image at once (single flight). */
import { finished, Readable } from 'node:stream'
import { GatewayError } from '../errors.ts'
import type { ImageHead, UpstreamImageStream } from '../upstream/client.ts'
import type { StoredImage } from './image-cache.ts'

/** Why a download nobody reads any more is stopped. */
const NOBODY_LEFT = () => new GatewayError('CANCELLED', 'every caller of the image went away')

/**
 * Downloads once and relays to every joiner: each gets the bytes seen so far, then the rest as they come, at
 * its own pace (the chunks are shared, not copied). The download runs at the upstream's pace and holds the
 * image until it ends (the image cap bounds it); the last joiner leaving before the end stops it. With
 * `releaseDelivered`, when nobody asked to keep the image, chunks every reader has had are let go at once
 * (a 2 MiB image is then not held whole per caller); the flight then takes no more joiners (`joinable`).
 */
export class ImageFlight {
  /** The image's chunks in order; undefined where released (below #released). */
  readonly #chunks: (Buffer | undefined)[] = []
  readonly #releaseDelivered: boolean
  /** Chunks before this index were released. */
  #released = 0
  #ended = false
  #failure: unknown
  #stopped = false
  #waiting = 0
  /** A joiner wants the image kept (cached) once whole. */
  #keep = false
  readonly #readers = new Set<FlightReader>()
  readonly #controller = new AbortController()
  readonly #opened: Promise<ImageHead>
  #source: Readable | undefined
  /** The image, when the download brought it whole at once: every joiner gets it as it is, no reader. */
  #whole: Buffer | undefined
  readonly #settled: (image: StoredImage | undefined) => void

  /**
   * Starts `download` at once; `settled` is called once, with the whole image when it arrived and a joiner
   * asked to keep it, else undefined, so the owner can cache it and forget the flight.
   */
  constructor(
    download: (signal: AbortSignal) => Promise<UpstreamImageStream>,
    settled: (image: StoredImage | undefined) => void,
    options: { releaseDelivered?: boolean } = {},
  ) {
    this.#settled = settled
    this.#releaseDelivered = options.releaseDelivered ?? false
    this.#opened = this.#start(download)
    // Only marks the rejection handled: every reader awaits #opened and gets the error itself.
    this.#opened.catch(() => {})
  }

  /**
   * The image as one more caller's stream, once it is known to be an image; rejects with the download's error,
   * or with `signal`'s reason when the caller leaves first. `keep`: hand the whole image to `settled`.
   */
  async join(signal?: AbortSignal, keep = false): Promise<UpstreamImageStream> {
    if (!this.joinable)
      throw new GatewayError('INTERNAL', 'this image flight already let go of its first bytes')
    if (keep) this.#keep = true
    this.#waiting++
    let head: ImageHead
    try {
      head = await untilAborted(this.#opened, signal)
    } catch (error) {
      this.#waiting--
      this.#stopIfAbandoned()
      throw error
    }
    this.#waiting--
    if (this.#whole) return { ...head, contentLength: this.#whole.byteLength, bytes: this.#whole }
    const reader = new FlightReader(this)
    // The caller's pipeline gets every error too; this only keeps an error raised before it listens harmless.
    reader.on('error', () => {})
    this.#readers.add(reader)
    return { ...head, chunks: reader }
  }

  /** Whether a new caller can still get the whole image from this flight. */
  get joinable(): boolean {
    return this.#released === 0
  }

  /** Pushes what `reader` has not had yet, as far as it takes; ends it when the download did. */
  feed(reader: FlightReader): void {
    while (reader.next < this.#chunks.length) {
      const more = reader.push(this.#chunks[reader.next++])
      this.#releaseDeliveredChunks()
      if (!more) return
    }
    if (this.#failure !== undefined) reader.destroy(this.#failure as Error)
    else if (this.#ended) reader.push(null)
    else reader.hungry = true
  }

  /** Lets go of the chunks every reader has had, unless the image is to be kept or a joiner is on its way. */
  #releaseDeliveredChunks(): void {
    if (!this.#releaseDelivered || this.#keep || this.#waiting > 0 || this.#readers.size === 0) return
    let delivered = this.#chunks.length
    for (const reader of this.#readers) delivered = Math.min(delivered, reader.next)
    while (this.#released < delivered) this.#chunks[this.#released++] = undefined
  }

  /** A reader is done (ended, or its caller hung up). */
  leave(reader: FlightReader): void {
    this.#readers.delete(reader)
    this.#stopIfAbandoned()
  }

  async #start(download: (signal: AbortSignal) => Promise<UpstreamImageStream>): Promise<ImageHead> {
    try {
      const image = await download(this.#controller.signal)
      if (image.bytes) {
        this.#takeWhole(image.bytes, image.contentType)
        return { contentType: image.contentType, contentLength: image.contentLength }
      }
      // Everyone left while it was opening: nobody reads what would come.
      if (this.#stopped) image.chunks.destroy()
      this.#source = image.chunks
      this.#fill(image.chunks, image.contentType)
      return { contentType: image.contentType, contentLength: image.contentLength }
    } catch (error) {
      this.#finish(undefined, error)
      throw error
    }
  }

  /**
   * Takes the download's chunks as they come. Events rather than `for await`: the async iterator costs a
   * promise per chunk (and a promise per wait), on every image.
   */
  #fill(source: Readable, contentType: string): void {
    source.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk)
      this.#wake()
    })
    // An error, or a close before the end (the download was destroyed), fails the flight.
    finished(source, { writable: false }, (error) => {
      if (error) {
        this.#finish(undefined, error)
        this.#wake()
        return
      }
      this.#ended = true
      this.#wake()
      this.#finish(
        this.#keep
          ? { bytes: new Uint8Array(Buffer.concat(this.#chunks as Buffer[])), contentType }
          : undefined,
      )
    })
  }

  /** The download is over before it streamed: the flight ends at once, and its joiners share the bytes. */
  #takeWhole(bytes: Buffer, contentType: string): void {
    this.#whole = bytes
    this.#ended = true
    this.#finish(this.#keep ? { bytes: new Uint8Array(bytes), contentType } : undefined)
  }

  /** Feeds every reader that asked for more than there was. */
  #wake(): void {
    for (const reader of this.#readers) {
      if (!reader.hungry) continue
      reader.hungry = false
      this.feed(reader)
    }
  }

  #stopIfAbandoned(): void {
    if (this.#readers.size > 0 || this.#waiting > 0 || this.#ended || this.#stopped) return
    this.#controller.abort(NOBODY_LEFT())
    this.#source?.destroy()
    this.#finish(undefined, NOBODY_LEFT())
  }

  #finish(image: StoredImage | undefined, failure?: unknown): void {
    if (this.#stopped) return
    this.#stopped = true
    if (failure !== undefined) this.#failure = failure
    this.#settled(image)
  }
}

/** One caller's view of a flight: a Readable fed from the shared chunks. */
class FlightReader extends Readable {
  /** Index of the next chunk this reader gets. */
  next = 0
  /** It asked for more than the flight had; fed when the next chunk arrives. */
  hungry = false
  readonly #flight: ImageFlight

  constructor(flight: ImageFlight) {
    super()
    this.#flight = flight
  }

  override _read(): void {
    this.#flight.feed(this)
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#flight.leave(this)
    done(error)
  }
}

/** `promise`, or a rejection with `signal`'s reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
