/** Image downloads over node:http: streamed with backpressure, typed by their magic bytes, capped in size. */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { pipeline, type Readable, Transform } from 'node:stream'
import { GatewayError } from '../errors.ts'
import { keepAliveAgents } from './agents.ts'
import { type Deadline, startDeadline } from './deadline.ts'
import { SNIFF_BYTES, sniffImageType, tooLarge } from './image-body.ts'
import { describeFailure, statusError } from './request.ts'

/** The `Accept` header for images: Next's optimiser re-encodes WebP to JPEG for clients that omit WebP. */
export const IMAGE_ACCEPT = 'image/webp,image/png,image/jpeg,image/*'

/** What is known of an image once its first bytes proved it one. */
export interface ImageHead {
  contentType: string
  /** The full length when the upstream declared it (always, for an image that came whole). */
  contentLength: number | undefined
}

/**
 * An image being downloaded, its type known from its first bytes. One that arrived whole with them (small
 * images do, in the packet after the headers) comes as `bytes`: no stream stages to set up, pipe and tear down
 * for it. Any other image streams as `chunks`.
 */
export type UpstreamImageStream = ImageHead &
  (
    | {
        /** Every byte, the first ones included, with backpressure; errors past the size cap or the timeout. */
        chunks: Readable
        bytes?: undefined
      }
    | { contentLength: number; bytes: Buffer; chunks?: undefined }
  )

/** Opens image URLs on the upstream. */
export interface ImageDownloader {
  open(url: URL, signal?: AbortSignal): Promise<UpstreamImageStream>
}

/**
 * Node's own HTTP client rather than fetch: large images stream through with backpressure and a fraction
 * of the CPU, which matters when a gateway relays many megabytes a second.
 */
export function createImageDownloader(options: { timeoutMs: number; maxBytes: number }): ImageDownloader {
  const agents = keepAliveAgents()

  const get = (url: URL, deadline: Deadline) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest
      const agent = url.protocol === 'https:' ? agents.https : agents.http
      const request = send(url, { headers: { accept: IMAGE_ACCEPT }, agent }, resolve)
      request.once('error', reject)
      deadline.destroys(request)
      request.end()
    })

  async function open(url: URL, signal?: AbortSignal): Promise<UpstreamImageStream> {
    const deadline = startDeadline(options.timeoutMs, signal)
    const failure = (error: unknown) =>
      describeFailure('image', error, options.timeoutMs, signal, deadline.timeout)
    let response: IncomingMessage | undefined
    try {
      response = await get(url, deadline)
      const status = response.statusCode ?? 0
      if (status < 200 || status >= 300) {
        throw statusError('image', status, await readText(response, 4096), response.headers['retry-after'])
      }
      const declared = Number(response.headers['content-length'] ?? Number.NaN)
      if (Number.isInteger(declared) && declared > options.maxBytes) throw tooLarge(options.maxBytes)
      const { head, whole } = await readHead(response)
      const contentType = sniffImageType(head)
      if (!contentType) throw notAnImage(head, url.pathname)
      if (whole) {
        // A declared length was checked above (and Node's parser holds the body to it); an undeclared one here.
        if (head.byteLength > options.maxBytes) throw tooLarge(options.maxBytes)
        deadline.clear()
        return { contentType, contentLength: head.byteLength, bytes: head }
      }
      // Plain stream piping from here: no per-chunk promises, and the caller's pace throttles the upstream.
      // A declared length is enforced by Node's HTTP parser, so only an undeclared one needs counting.
      const chunks = Number.isInteger(declared)
        ? response
        : pipeline(response, byteCap(options.maxBytes), () => {})
      // The deadline covers the whole body: it ends once the image was read or dropped.
      chunks.once('close', deadline.clear)
      return { contentType, contentLength: Number.isInteger(declared) ? declared : undefined, chunks }
    } catch (error) {
      response?.destroy()
      deadline.clear()
      throw failure(error)
    }
  }

  return { open }
}

/**
 * Reads until there are enough bytes to tell the image type. `whole` when that was the entire body (Node's
 * parser saw the message end and nothing is left): reading it emptied the stream, which then ends by itself
 * and frees its keep-alive socket. Otherwise the bytes are put back for the consumer.
 */
async function readHead(stream: IncomingMessage): Promise<{ head: Buffer; whole: boolean }> {
  const chunks: Buffer[] = []
  let length = 0
  while (length < SNIFF_BYTES) {
    const chunk = stream.read() as Buffer | null
    if (chunk !== null) {
      chunks.push(chunk)
      length += chunk.byteLength
      continue
    }
    if (stream.readableEnded) break
    await readableOrEnd(stream)
  }
  const head = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length)
  if (stream.complete && stream.readableLength === 0) return { head, whole: true }
  if (length > 0) stream.unshift(head)
  return { head, whole: false }
}

/**
 * Resolves on the next 'readable' or 'end', rejects on 'error'. Plain listeners rather than `events.once` with
 * an AbortController: aborting one to drop the loser built a DOMException per wait, per image.
 */
function readableOrEnd(stream: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      stream.off('readable', onReady)
      stream.off('end', onReady)
      stream.off('error', settle)
      if (error) reject(error)
      else resolve()
    }
    const onReady = () => settle()
    stream.on('readable', onReady)
    stream.on('end', onReady)
    stream.on('error', settle)
  })
}

/** Passes bytes through, failing with UPSTREAM_ERROR once more than `maxBytes` went by. */
export function byteCap(maxBytes: number): Transform {
  let total = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.byteLength
      if (total > maxBytes) done(tooLarge(maxBytes))
      else done(null, chunk)
    },
  })
}

/** All of `image`'s bytes: as they came, or read to the end of its stream. */
export async function imageBytes(image: UpstreamImageStream): Promise<Buffer> {
  if (image.bytes) return image.bytes
  const chunks: Buffer[] = []
  for await (const chunk of image.chunks) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Up to `limit` bytes of a (small, error) body as text. */
async function readText(response: IncomingMessage, limit: number): Promise<string> {
  let text = ''
  for await (const chunk of response) {
    text += String(chunk)
    if (text.length >= limit) break
  }
  return text.slice(0, limit)
}

/** UPSTREAM_ERROR for bytes that are not an image. */
export function notAnImage(bytes: Uint8Array, where: string): GatewayError {
  return new GatewayError('UPSTREAM_ERROR', 'upstream image is not an image (unknown magic bytes)', {
    details: {
      operation: 'image',
      source: where,
      firstBytes: Buffer.from(bytes.slice(0, 16)).toString('hex'),
    },
  })
}
