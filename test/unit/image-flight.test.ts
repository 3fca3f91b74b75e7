// One shared image download: early bytes reach the first caller, late joiners catch up, the last leaving stops it.
import { PassThrough, type Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { DownloadSlots } from '../../server/jobs/download-slots.ts'
import type { StoredImage } from '../../server/jobs/image-cache.ts'
import { ImageFlight } from '../../server/jobs/image-flight.ts'
import type { UpstreamImageStream } from '../../server/upstream/client.ts'

const WEBP_HEAD = Buffer.from('RIFF\0\0\0\0WEBP')

/** A flight over a PassThrough the test writes the "upstream" bytes into. */
function flightOverStream(options: { releaseDelivered?: boolean } = {}) {
  const upstream = new PassThrough()
  let signal: AbortSignal | undefined
  const settled: Array<StoredImage | undefined> = []
  const flight = new ImageFlight(
    async (s) => {
      signal = s
      return { contentType: 'image/webp', contentLength: undefined, chunks: upstream }
    },
    (image) => settled.push(image),
    options,
  )
  return { flight, upstream, settled, signal: () => signal }
}

/** The stream of an image a flight relays (these flights' downloads stream, so they never come whole). */
function chunksOf(image: UpstreamImageStream): Readable {
  if (!image.chunks) throw new Error('expected a streamed image, got whole bytes')
  return image.chunks
}

/** The next chunk a stream yields. */
const nextChunk = (stream: NodeJS.ReadableStream) =>
  new Promise<Buffer>((resolve) => stream.once('data', (chunk: Buffer) => resolve(chunk)))

/** Every byte a stream yields until it ends. */
async function allBytes(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}

describe('ImageFlight', () => {
  it('streams the first bytes before the image is whole, and a late joiner gets the start then the rest', async () => {
    const { flight, upstream, settled } = flightOverStream()
    const first = await flight.join()
    upstream.write(WEBP_HEAD)
    expect(await nextChunk(chunksOf(first))).toEqual(WEBP_HEAD)
    chunksOf(first).pause()
    const late = await flight.join(undefined, true)
    const lateBytes = allBytes(chunksOf(late))
    upstream.end(Buffer.from('rest of the image'))
    const firstBytes = allBytes(chunksOf(first))
    const whole = Buffer.concat([WEBP_HEAD, Buffer.from('rest of the image')])
    expect(await lateBytes).toEqual(whole)
    expect(Buffer.concat([WEBP_HEAD, await firstBytes])).toEqual(whole)
    expect(settled).toHaveLength(1)
    expect(Buffer.from(settled[0]?.bytes ?? [])).toEqual(whole)
  })

  it('one caller leaving keeps the download going; the last leaving stops it and caches nothing', async () => {
    const { flight, upstream, settled, signal } = flightOverStream()
    const [a, b] = await Promise.all([flight.join(), flight.join()])
    upstream.write(WEBP_HEAD)
    chunksOf(a).destroy()
    expect(signal()?.aborted).toBe(false)
    expect(await nextChunk(chunksOf(b))).toEqual(WEBP_HEAD)
    chunksOf(b).destroy()
    expect(signal()?.aborted).toBe(true)
    expect(upstream.destroyed).toBe(true)
    expect(settled).toEqual([undefined])
  })

  it('releasing delivered chunks still gives the reader every byte, then takes no new joiner', async () => {
    const { flight, upstream, settled } = flightOverStream({ releaseDelivered: true })
    const reader = await flight.join()
    upstream.write(WEBP_HEAD)
    expect(await nextChunk(chunksOf(reader))).toEqual(WEBP_HEAD)
    expect(flight.joinable).toBe(false)
    await expect(flight.join()).rejects.toMatchObject({ code: 'INTERNAL' })
    const rest = allBytes(chunksOf(reader))
    upstream.end(Buffer.from('rest of the image'))
    expect((await rest).toString()).toBe('rest of the image')
    expect(settled).toEqual([undefined])
  })

  it('a joiner that asks to keep the image stops the release: the whole image is cached', async () => {
    const { flight, upstream, settled } = flightOverStream({ releaseDelivered: true })
    const [reader, keeper] = await Promise.all([flight.join(), flight.join(undefined, true)])
    upstream.write(WEBP_HEAD)
    expect(await nextChunk(chunksOf(reader))).toEqual(WEBP_HEAD)
    expect(flight.joinable).toBe(true)
    const kept = allBytes(chunksOf(keeper))
    const rest = allBytes(chunksOf(reader))
    upstream.end(Buffer.from('rest'))
    await Promise.all([kept, rest])
    expect(Buffer.from(settled[0]?.bytes ?? []).toString()).toBe('RIFF\0\0\0\0WEBPrest')
  })

  it('a caller who hangs up while the download opens gets its own reason', async () => {
    const flight = new ImageFlight(
      () => new Promise(() => {}),
      () => {},
    )
    const hangUp = new AbortController()
    const joined = flight.join(hangUp.signal)
    hangUp.abort(new Error('gone'))
    await expect(joined).rejects.toThrow('gone')
  })
})

describe('DownloadSlots', () => {
  it('hands out max permits, queues the rest in order, and lets a waiter leave on abort', async () => {
    const slots = new DownloadSlots(1)
    const release = await slots.acquire(new AbortController().signal)
    const leaving = new AbortController()
    const left = slots.acquire(leaving.signal)
    const next = slots.acquire(new AbortController().signal)
    expect(slots.counts).toEqual({ inUse: 1, waiting: 2 })
    leaving.abort(new Error('hung up'))
    await expect(left).rejects.toThrow('hung up')
    release()
    release()
    const releaseNext = await next
    expect(slots.counts).toEqual({ inUse: 1, waiting: 0 })
    releaseNext()
    expect(slots.counts).toEqual({ inUse: 0, waiting: 0 })
  })
})
