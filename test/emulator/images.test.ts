// Image references in every result shape, the direct image endpoints and Next's image optimiser.

import { type Emulator, startEmulator } from '@akashgen/emulator'
import { afterEach, describe, expect, it } from 'vitest'
import { download, FAST, finishedJob, imageKind } from './harness.ts'

let emulator: Emulator
afterEach(() => emulator?.close())

/** What the gateway does with an image reference that lacks w/q: add them with the URL API. */
function withSize(reference: string): string {
  const url = new URL(reference, 'http://x.invalid')
  if (!url.searchParams.has('w')) url.searchParams.set('w', '2048')
  if (!url.searchParams.has('q')) url.searchParams.set('q', '100')
  return `${url.pathname}${url.search}`
}

describe('result shapes', () => {
  it.each([
    ['api-image-path', /^\/api\/image\/job_[0-9a-f]{8}_00001_\.webp$/],
    ['api-image-query', /^\/api\/image\?filename=job_[0-9a-f]{8}_00001_\.webp$/],
    ['next-image', /^\/_next\/image\?url=%2Fapi%2Fimage%2Fjob_[0-9a-f]{8}_00001_\.webp$/],
  ] as const)('%s downloads as a real image', async (resultShape, pattern) => {
    emulator = await startEmulator({ ...FAST, resultShape })
    const { result } = await finishedJob(emulator)
    expect(result).toMatch(pattern)
    const path = resultShape === 'next-image' ? withSize(result) : result
    const image = await download(emulator, path)
    expect(image.code).toBe(200)
    expect(imageKind(image.bytes)).toBe('webp')
  })

  it('data-url carries the image inline', async () => {
    emulator = await startEmulator({ ...FAST, resultShape: 'data-url' })
    const { result } = await finishedJob(emulator)
    expect(imageKind(Buffer.from(result.replace(/^data:image\/webp;base64,/, ''), 'base64'))).toBe('webp')
  })

  it('bare-path is not served directly but is served through /_next/image', async () => {
    emulator = await startEmulator({ ...FAST, resultShape: 'bare-path' })
    const { result } = await finishedJob(emulator)
    expect(result).toMatch(/^\/images\/job_[0-9a-f]{8}_00001_\.webp$/)
    expect((await download(emulator, result)).code).toBe(404)
    const optimised = await download(emulator, `/_next/image?url=${encodeURIComponent(result)}&w=2048&q=100`)
    expect(optimised.code).toBe(200)
    expect(imageKind(optimised.bytes)).toBe('webp')
  })

  it('answers 404 for an unknown image file', async () => {
    emulator = await startEmulator(FAST)
    expect((await download(emulator, '/api/image/job_deadbeef_00001_.webp')).code).toBe(404)
    expect((await download(emulator, '/api/image?filename=nope.webp')).code).toBe(404)
  })
})

describe('/_next/image', () => {
  const inner = 'url=%2Fapi%2Fimage%2Fx.webp'
  it.each([
    ['a missing url', 'w=64&q=75', '"url" parameter is required'],
    ['a repeated url', `${inner}&${inner}&w=64&q=75`, '"url" parameter cannot be an array'],
    ['a url over 3072 characters', `url=/${'a'.repeat(3072)}&w=64&q=75`, '"url" parameter is too long'],
    [
      'an absolute url',
      `url=${encodeURIComponent('https://evil.example/x.webp')}&w=64&q=75`,
      '"url" parameter is not allowed',
    ],
    [
      'a protocol-relative url',
      `url=${encodeURIComponent('//evil.example/x.webp')}&w=64&q=75`,
      '"url" parameter cannot be a protocol-relative URL (//)',
    ],
    [
      'a recursive url',
      `url=${encodeURIComponent('/_next/image?url=/api/image/x.webp')}&w=64&q=75`,
      '"url" parameter cannot be recursive',
    ],
    ['a missing w', `${inner}&q=75`, '"w" parameter (width) is required'],
    ['a repeated w', `${inner}&w=64&w=64&q=75`, '"w" parameter (width) cannot be an array'],
    [
      'a w that is not an integer',
      `${inner}&w=6.4&q=75`,
      '"w" parameter (width) must be an integer greater than 0',
    ],
    ['a w not in the list', `${inner}&w=100&q=75`, '"w" parameter (width) of 100 is not allowed'],
    ['a missing q', `${inner}&w=64`, '"q" parameter (quality) is required'],
    ['a repeated q', `${inner}&w=64&q=75&q=100`, '"q" parameter (quality) cannot be an array'],
    [
      'a q out of range',
      `${inner}&w=64&q=101`,
      '"q" parameter (quality) must be an integer between 1 and 100',
    ],
    [
      'a q that is not an integer',
      `${inner}&w=64&q=7.5`,
      '"q" parameter (quality) must be an integer between 1 and 100',
    ],
  ])('answers 400 in plain text for %s, with Next’s message', async (_name, query, message) => {
    emulator = await startEmulator(FAST)
    const res = await download(emulator, `/_next/image?${query}`)
    expect(res.code).toBe(400)
    expect(res.type).toMatch(/^text\/plain/)
    expect(Buffer.from(res.bytes).toString()).toBe(message)
  })

  it('re-encodes to WebP by Accept, else keeps a PNG, and answers 400 for a missing image', async () => {
    emulator = await startEmulator({ ...FAST, imageFormat: 'png' })
    const { result } = await finishedJob(emulator)
    const path = `/_next/image?url=${encodeURIComponent(result)}&w=32&q=75`
    const webp = await download(emulator, path, 'image/avif,image/webp,*/*')
    expect([webp.code, webp.type, imageKind(webp.bytes)]).toEqual([200, 'image/webp', 'webp'])
    const png = await download(emulator, path, 'image/png,image/*')
    expect([png.code, png.type, imageKind(png.bytes)]).toEqual([200, 'image/png', 'png'])
    const missing = await download(emulator, '/_next/image?url=%2Fapi%2Fimage%2Fnope.webp&w=32&q=75')
    expect([missing.code, missing.type]).toEqual([400, 'text/plain; charset=utf-8'])
    expect(Buffer.from(missing.bytes).toString()).toBe("The requested resource isn't a valid image.")
    expect(emulator.counters.nextImageFetches).toBe(3)
  })

  it('turns a WebP into JPEG for a caller that does not accept WebP', async () => {
    emulator = await startEmulator(FAST)
    const { result } = await finishedJob(emulator)
    const jpeg = await download(
      emulator,
      `/_next/image?url=${encodeURIComponent(result)}&w=32&q=75`,
      'image/*',
    )
    expect([jpeg.code, jpeg.type, imageKind(jpeg.bytes)]).toEqual([200, 'image/jpeg', 'jpeg'])
  })

  it('serves only the configured qualities, like Next 16 (any 1..100 by default)', async () => {
    emulator = await startEmulator(FAST)
    const { result } = await finishedJob(emulator)
    const at = (q: number) => download(emulator, `/_next/image?url=${encodeURIComponent(result)}&w=64&q=${q}`)
    expect((await at(100)).code).toBe(200)
    emulator.configure({ qualities: [75] })
    const refused = await at(100)
    expect([refused.code, Buffer.from(refused.bytes).toString()]).toEqual([
      400,
      '"q" parameter (quality) of 100 is not allowed',
    ])
    const served = await at(75)
    expect([served.code, imageKind(served.bytes)]).toEqual([200, 'webp'])
    expect(() => emulator.configure({ qualities: [] })).toThrow(/qualities/)
    expect(() => emulator.configure({ qualities: [0] })).toThrow(/qualities/)
  })
})

describe('image faults', () => {
  it('answers HTML with 200 on every image endpoint with nonImage', async () => {
    emulator = await startEmulator({ ...FAST, nonImage: true })
    const { result } = await finishedJob(emulator)
    for (const path of [result, `/_next/image?url=${encodeURIComponent(result)}&w=64&q=75`]) {
      const res = await download(emulator, path)
      expect([res.code, res.type]).toEqual([200, 'text/html; charset=utf-8'])
      expect(imageKind(res.bytes)).toBeNull()
    }
  })

  it('answers an image header followed by oversizedImageBytes of body', async () => {
    emulator = await startEmulator({ ...FAST, oversizedImageBytes: 3 * 1024 * 1024 })
    const res = await download(emulator, (await finishedJob(emulator)).result)
    expect(res.bytes.length).toBe(3 * 1024 * 1024)
    expect(imageKind(res.bytes)).toBe('webp')
  })
})
