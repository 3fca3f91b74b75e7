// Upstream answers over real sockets: one that arrives whole with its head is taken at once (a small image as
// bytes, a JSON answer in one read) and frees its keep-alive socket; one that arrives in parts streams; the
// size caps hold either way.
import { createServer as createHttpServer, type ServerResponse } from 'node:http'
import { type AddressInfo, createServer as createTcpServer, type Server } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createImageDownloader, imageBytes } from '../../server/upstream/image-download.ts'
import { JSON_HEADERS, readJson, upstreamFetch } from '../../server/upstream/request.ts'
import { refusal } from '../support/thrown.ts'

/** A small WebP-looking image: the magic bytes, then filler. */
const IMAGE = Buffer.concat([Buffer.from('RIFF\x24\x10\0\0WEBPVP8 ', 'latin1'), Buffer.alloc(4000, 7)])
const MAX_BYTES = 1_000_000

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

/** Lets the emptied answer end (on the next tick), which is when it gives its socket back to the agent. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** A node:http upstream answering every request with `body` of `type`, its length declared, in one write. */
const whole = (type: string, body: Buffer | string) => (response: ServerResponse) => {
  response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
  response.end(body)
}

/** The same answer in two writes 50 ms apart, the first `at` bytes first. */
const inParts = (type: string, body: Buffer | string, at: number) => async (response: ServerResponse) => {
  response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
  response.write(body.slice(0, at))
  await sleep(50)
  response.end(body.slice(at))
}

/** A node:http upstream answering every request with `answer`; counts the connections it accepted. */
async function httpUpstream(answer: (response: ServerResponse) => void) {
  const server = createHttpServer((_request, response) => answer(response))
  const listening = await listen(server)
  let connections = 0
  server.on('connection', (socket) => {
    connections++
    socket.unref()
  })
  return { ...listening, connections: () => connections }
}

/** A raw TCP upstream that writes `response` (a whole HTTP/1.1 answer) in one write, then closes. */
async function rawUpstream(response: Buffer) {
  const server = createTcpServer((socket) => {
    socket.once('data', () => socket.end(response))
  })
  return listen(server)
}

async function listen(server: Server) {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/image.webp`) }
}

function chunkedAnswer(body: Buffer): Buffer {
  const head =
    'HTTP/1.1 200 OK\r\nContent-Type: image/webp\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
  return Buffer.concat([
    Buffer.from(`${head}${body.byteLength.toString(16)}\r\n`, 'latin1'),
    body,
    Buffer.from('\r\n0\r\n\r\n', 'latin1'),
  ])
}

describe('an image download', () => {
  it('that arrives whole with its head comes as bytes, and its keep-alive socket serves the next one', async () => {
    const upstream = await httpUpstream(whole('image/webp', IMAGE))
    const downloader = createImageDownloader({ timeoutMs: 5000, maxBytes: MAX_BYTES })
    for (let i = 0; i < 3; i++) {
      const image = await downloader.open(upstream.url)
      expect(image.chunks).toBeUndefined()
      expect(image.bytes?.equals(IMAGE)).toBe(true)
      expect(image).toMatchObject({ contentType: 'image/webp', contentLength: IMAGE.byteLength })
      await nextTurn()
    }
    // Had a whole image's response not ended, its socket would not be free and each download would open one.
    expect(upstream.connections()).toBe(1)
  })

  it('that arrives in parts streams every byte, in order', async () => {
    const upstream = await httpUpstream(inParts('image/webp', IMAGE, 100))
    const downloader = createImageDownloader({ timeoutMs: 5000, maxBytes: MAX_BYTES })
    const image = await downloader.open(upstream.url)
    expect(image.bytes).toBeUndefined()
    expect(image.chunks).toBeDefined()
    expect((await imageBytes(image)).equals(IMAGE)).toBe(true)
  })

  it('without a declared length, whole at once, comes as bytes up to the cap and is refused one byte over', async () => {
    const upstream = await rawUpstream(chunkedAnswer(IMAGE))
    const atCap = await createImageDownloader({ timeoutMs: 5000, maxBytes: IMAGE.byteLength }).open(
      upstream.url,
    )
    expect(atCap.bytes?.equals(IMAGE)).toBe(true)
    expect(atCap.contentLength).toBe(IMAGE.byteLength)

    const error = await refusal(
      createImageDownloader({ timeoutMs: 5000, maxBytes: IMAGE.byteLength - 1 }).open(upstream.url),
    )
    expect(error.code).toBe('UPSTREAM_ERROR')
    expect(error.message).toContain(`${IMAGE.byteLength - 1}-byte limit`)
  })
})

describe('a JSON answer', () => {
  const ANSWER = { jobs: Array.from({ length: 20 }, (_, i) => ({ job_id: `job-${i}`, status: 'pending' })) }
  const TEXT = JSON.stringify(ANSWER)
  const statusOf = async (url: URL, maxBytes?: number) =>
    readJson('status', await upstreamFetch('status', url, { headers: JSON_HEADERS }, 5000), maxBytes)

  it('that arrives whole is read at once, and its keep-alive socket serves the next call', async () => {
    const upstream = await httpUpstream(whole('application/json', TEXT))
    for (let i = 0; i < 3; i++) {
      expect(await statusOf(upstream.url)).toEqual(ANSWER)
      await nextTurn()
    }
    expect(upstream.connections()).toBe(1)
  })

  it('that arrives in parts is read to its end', async () => {
    const upstream = await httpUpstream(inParts('application/json', TEXT, 30))
    expect(await statusOf(upstream.url)).toEqual(ANSWER)
  })

  it('that arrives whole but over the cap is refused, naming the limit', async () => {
    const upstream = await httpUpstream(whole('application/json', TEXT))
    const error = await refusal(statusOf(upstream.url, 100))
    expect(error.code).toBe('UPSTREAM_ERROR')
    expect(error.message).toContain('100-byte limit')
  })
})
