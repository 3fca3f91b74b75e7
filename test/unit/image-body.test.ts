import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../server/errors.ts'
import { cappedChunks, sniffImageType } from '../../server/upstream/image-body.ts'

/** The whole body through cappedChunks, joined. */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  const declared = response.headers.get('content-length')
  const body = response.body as AsyncIterable<Uint8Array> | null
  for await (const chunk of cappedChunks(body, maxBytes, declared === null ? undefined : Number(declared))) {
    chunks.push(chunk)
  }
  return new Uint8Array(Buffer.concat(chunks))
}

const bytes = (...values: (number | string)[]) =>
  new Uint8Array(values.flatMap((v) => (typeof v === 'string' ? [...Buffer.from(v, 'latin1')] : [v])))

/** A body streamed in `chunks` chunks of `size` bytes, with no content-length header. */
function streamed(chunks: number, size: number): { response: Response; pulled: () => number } {
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close()
      sent++
      controller.enqueue(new Uint8Array(size).fill(sent))
    },
  })
  return { response: new Response(body), pulled: () => sent }
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`)
  return error
}

describe('sniffImageType', () => {
  it.each([
    ['image/webp', bytes('RIFF', 0x24, 0x10, 0, 0, 'WEBPVP8 ')],
    ['image/png', bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'IHDR')],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'JFIF')],
    ['image/gif', bytes('GIF89a', 1, 0, 1, 0)],
    ['image/gif', bytes('GIF87a', 1, 0, 1, 0)],
  ])('recognises %s by its magic bytes', (type, body) => {
    expect(sniffImageType(body)).toBe(type)
  })

  it.each([
    ['an HTML page', bytes('<!DOCTYPE html><html><body>Bad Request</body></html>')],
    ['JSON', bytes('{"error":"not found"}')],
    ['an empty body', new Uint8Array(0)],
    ['a truncated PNG signature', bytes(0x89, 'PNG', 0x0d)],
    ['a RIFF file that is not WebP', bytes('RIFF', 0x24, 0, 0, 0, 'WAVEfmt ')],
    ['a RIFF header cut short', bytes('RIFF', 0x24, 0, 0, 0, 'WE')],
    ['two JPEG bytes', bytes(0xff, 0xd8)],
  ])('refuses %s', (_, body) => {
    expect(sniffImageType(body)).toBeUndefined()
  })
})

describe('cappedChunks', () => {
  describe('under the cap', () => {
    it('returns the bytes of the body', async () => {
      const body = bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a)
      expect(await readCapped(new Response(body), 100)).toEqual(body)
    })

    it('returns a body of exactly the cap', async () => {
      const result = await readCapped(new Response(new Uint8Array(64).fill(9)), 64)
      expect(result).toEqual(new Uint8Array(64).fill(9))
    })

    it('joins a streamed body in order', async () => {
      const { response } = streamed(3, 4)
      expect(Array.from(await readCapped(response, 12))).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
    })

    it('returns no bytes for a response without a body', async () => {
      expect(await readCapped(new Response(null, { status: 200 }), 10)).toEqual(new Uint8Array(0))
    })
  })

  describe('over the cap', () => {
    it('refuses a body whose content-length is over the cap, without reading it', async () => {
      const { response, pulled } = streamed(1000, 1024)
      response.headers.set('content-length', String(1000 * 1024))
      const error = await refusal(readCapped(response, 4096))
      expect(error.code).toBe('UPSTREAM_ERROR')
      expect(error.message).toContain('4096-byte limit')
      expect(error.details).toEqual({ maxBytes: 4096 })
      expect(pulled()).toBeLessThanOrEqual(1)
    })

    it('refuses a declared-size body one byte over the cap', async () => {
      const response = new Response(new Uint8Array(11), { headers: { 'content-length': '11' } })
      const error = await refusal(readCapped(response, 10))
      expect(error.message).toContain('10-byte limit')
    })

    it('refuses a streamed body with no content-length as soon as it passes the cap', async () => {
      const { response, pulled } = streamed(1000, 1024)
      expect(response.headers.get('content-length')).toBeNull()
      const error = await refusal(readCapped(response, 4096))
      expect(error.code).toBe('UPSTREAM_ERROR')
      expect(error.status).toBe(502)
      expect(error.message).toContain('4096-byte limit')
      expect(pulled()).toBeLessThan(10)
    })

    it('refuses a body that lies about its length', async () => {
      const response = new Response(new Uint8Array(50), { headers: { 'content-length': '5' } })
      const error = await refusal(readCapped(response, 20))
      expect(error.message).toContain('20-byte limit')
    })
  })
})
