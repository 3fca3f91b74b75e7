import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { sniffImageType } from '../../server/upstream/image-body.ts'
import { byteCap } from '../../server/upstream/image-download.ts'
import { refusal } from '../support/thrown.ts'

const bytes = (...values: (number | string)[]) =>
  new Uint8Array(values.flatMap((v) => (typeof v === 'string' ? [...Buffer.from(v, 'latin1')] : [v])))

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

describe('byteCap', () => {
  const through = async (chunks: number[], maxBytes: number) => {
    const out: Buffer[] = []
    for await (const chunk of Readable.from(chunks.map((size) => Buffer.alloc(size, 7))).pipe(
      byteCap(maxBytes),
    )) {
      out.push(chunk as Buffer)
    }
    return Buffer.concat(out)
  }

  it('passes every byte of a body under or at the cap, in order', async () => {
    expect((await through([4, 4, 4], 12)).byteLength).toBe(12)
  })

  it('fails with UPSTREAM_ERROR naming the limit as soon as the bytes pass it', async () => {
    const error = await refusal(through([1024, 1024, 1024, 1024, 1024], 4096))
    expect(error.code).toBe('UPSTREAM_ERROR')
    expect(error.status).toBe(502)
    expect(error.message).toContain('4096-byte limit')
  })
})
