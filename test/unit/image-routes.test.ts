// Which URLs an image is tried at, in what order, and what a later job starts with.
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../server/logger.ts'
import {
  createImageRouteMemory,
  type ImageRouteMemory,
  openImageUrls,
} from '../../server/upstream/image-routes.ts'
import { statusError } from '../../server/upstream/request.ts'

const origin = new URL('http://upstream.test')
const logger = createLogger('silent')
const optimiser = (q: string, inner = '/api/image/a.webp') =>
  `http://upstream.test/_next/image?url=${encodeURIComponent(inner)}&w=2048&q=${q}`

/**
 * Opens `urls` against answers keyed by URL (an HTTP status, or 200 for an image; unlisted: 400 from the
 * optimiser, 404 elsewhere); returns what was asked, how it ended (`image` or the status) and the memory.
 */
async function run(
  urls: string[],
  answers: Record<string, number | Error>,
  memory = createImageRouteMemory(),
) {
  const asked: string[] = []
  const open = async (url: URL) => {
    asked.push(url.href)
    const answer = answers[url.href] ?? (url.pathname === '/_next/image' ? 400 : 404)
    if (answer instanceof Error) throw answer
    if (answer !== 200) throw statusError('image', answer, 'refused', undefined)
    return { contentType: 'image/webp', contentLength: 1, chunks: Readable.from([Buffer.from('x')]) }
  }
  const outcome = await openImageUrls(
    urls.map((url) => new URL(url)),
    { open, origin, memory, logger },
  ).then(
    () => 'image',
    (error: { details?: { status?: number } }) => error.details?.status ?? error,
  )
  return { asked, outcome, memory }
}

describe('openImageUrls', () => {
  it('a 400 moves on to q=75, then to the inner path; a later job starts with what worked', async () => {
    const first = await run([optimiser('100')], { [optimiser('75')]: 200 })
    expect(first).toMatchObject({ asked: [optimiser('100'), optimiser('75')], outcome: 'image' })
    const later = await run([optimiser('100')], { [optimiser('75')]: 200 }, first.memory)
    expect(later.asked).toEqual([optimiser('75')])

    const direct = 'http://upstream.test/api/image/a.webp'
    const inner = await run([optimiser('100')], { [direct]: 200 }, createImageRouteMemory())
    expect(inner.asked).toEqual([optimiser('100'), optimiser('75'), direct])
    expect(inner.memory).toEqual({ quality: undefined, innerDirect: true })
  })

  it('a remembered inner path that fails falls back to the optimiser, which is then remembered', async () => {
    const memory: ImageRouteMemory = { quality: '75', innerDirect: true }
    const { asked, outcome } = await run([optimiser('100')], { [optimiser('75')]: 200 }, memory)
    expect(asked).toEqual(['http://upstream.test/api/image/a.webp', optimiser('75')])
    expect([outcome, memory]).toEqual(['image', { quality: '75', innerDirect: false }])
  })

  it('a 5xx or a timeout from the optimiser is final: parameters were not the problem', async () => {
    const { asked, outcome } = await run([optimiser('100')], { [optimiser('100')]: 503 })
    expect([asked, outcome]).toEqual([[optimiser('100')], 503])
  })

  it('an inner path off the upstream origin is never asked', async () => {
    const off = optimiser('100', 'http://evil.test/a.webp')
    const { asked, outcome } = await run([off], {})
    expect(asked.every((url) => url.startsWith('http://upstream.test/_next/image'))).toBe(true)
    expect([asked.length, outcome]).toEqual([2, 400])
  })

  it('asks each URL once, even when the inner path is also the first URL', async () => {
    const direct = 'http://upstream.test/images/a.webp'
    const { asked } = await run([direct, optimiser('100', '/images/a.webp')], { x: 200 })
    expect(asked).toEqual([direct, optimiser('100', '/images/a.webp'), optimiser('75', '/images/a.webp')])
  })
})
