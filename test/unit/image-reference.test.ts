import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../server/errors.ts'
import {
  type ImageSource,
  nextImageUrl,
  resolveImageReference,
} from '../../server/upstream/image-reference.ts'

const ORIGIN = new URL('https://gen.akash.network')
const PNG_BYTES = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** The URLs a reference will be fetched from, as strings; fails the test when the image is inline. */
function urlsOf(source: ImageSource): string[] {
  if (source.kind !== 'fetch') throw new Error('expected a reference to fetch, got inline bytes')
  return source.urls.map(String)
}

/** The GatewayError a refused reference throws; fails the test when the reference was accepted. */
function refusal(result: string, allowed: string[] = [], maxBytes?: number): GatewayError {
  try {
    resolveImageReference(result, ORIGIN, allowed, maxBytes)
  } catch (error) {
    if (error instanceof GatewayError) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(result)} to be refused`)
}

describe('resolveImageReference', () => {
  describe('data URLs (era 1)', () => {
    it('decodes the bytes inline', () => {
      const base64 = Buffer.from(PNG_BYTES).toString('base64')
      const source = resolveImageReference(`data:image/png;base64,${base64}`, ORIGIN)
      expect(source).toEqual({ kind: 'inline', bytes: new Uint8Array(PNG_BYTES) })
    })

    it('accepts any image subtype, in any case', () => {
      const source = resolveImageReference(
        `DATA:image/webp;base64,${Buffer.from('RIFF').toString('base64')}`,
        ORIGIN,
      )
      expect(source.kind).toBe('inline')
    })

    it.each([3000, 2999, 2998])('refuses an inline image one byte over the cap (%i bytes)', (size) => {
      const base64 = Buffer.alloc(size, 7).toString('base64')
      const error = refusal(`data:image/webp;base64,${base64}`, [], size - 1)
      expect(error.code).toBe('UPSTREAM_ERROR')
      expect(error.message).toContain(`inline image over ${size - 1} bytes`)
    })

    it.each([2998, 2999, 3000])('accepts an inline image of exactly the cap (%i bytes)', (size) => {
      const base64 = Buffer.alloc(size, 7).toString('base64')
      const source = resolveImageReference(`data:image/webp;base64,${base64}`, ORIGIN, [], size)
      expect(source.kind === 'inline' && source.bytes.byteLength).toBe(size)
    })
  })

  describe('/_next/image paths', () => {
    it('keeps the url and adds w=2048 and q=100', () => {
      const [url, ...rest] = urlsOf(resolveImageReference('/_next/image?url=%2Fx.webp', ORIGIN))
      expect(rest).toEqual([])
      const parsed = new URL(url ?? '')
      expect(parsed.origin).toBe('https://gen.akash.network')
      expect(parsed.pathname).toBe('/_next/image')
      expect(parsed.searchParams.get('url')).toBe('/x.webp')
      expect(parsed.searchParams.get('w')).toBe('2048')
      expect(parsed.searchParams.get('q')).toBe('100')
    })

    it('keeps a width and quality that are already there', () => {
      const [url] = urlsOf(resolveImageReference('/_next/image?url=%2Fx.webp&w=1080&q=75', ORIGIN))
      const parsed = new URL(url ?? '')
      expect(parsed.searchParams.getAll('w')).toEqual(['1080'])
      expect(parsed.searchParams.getAll('q')).toEqual(['75'])
    })

    it('adds only what is missing', () => {
      const [url] = urlsOf(resolveImageReference('/_next/image?url=%2Fx.webp&q=90', ORIGIN))
      const parsed = new URL(url ?? '')
      expect(parsed.searchParams.getAll('w')).toEqual(['2048'])
      expect(parsed.searchParams.getAll('q')).toEqual(['90'])
    })
  })

  describe('other paths', () => {
    it('tries the path directly, then through /_next/image', () => {
      expect(urlsOf(resolveImageReference('/api/image/job_1a2b3c4d_00001_.webp', ORIGIN))).toEqual([
        'https://gen.akash.network/api/image/job_1a2b3c4d_00001_.webp',
        'https://gen.akash.network/_next/image?url=%2Fapi%2Fimage%2Fjob_1a2b3c4d_00001_.webp&w=2048&q=100',
      ])
    })

    it('keeps the query of the path inside the fallback url parameter', () => {
      const [direct, fallback] = urlsOf(resolveImageReference('/api/image?filename=job_x.webp', ORIGIN))
      expect(direct).toBe('https://gen.akash.network/api/image?filename=job_x.webp')
      const parsed = new URL(fallback ?? '')
      expect(parsed.pathname).toBe('/_next/image')
      expect(parsed.searchParams.get('url')).toBe('/api/image?filename=job_x.webp')
      expect(parsed.searchParams.get('w')).toBe('2048')
      expect(parsed.searchParams.get('q')).toBe('100')
      expect(parsed.searchParams.has('filename')).toBe(false)
    })

    it('ignores surrounding whitespace', () => {
      expect(urlsOf(resolveImageReference('  /api/image/a.webp\n', ORIGIN))[0]).toBe(
        'https://gen.akash.network/api/image/a.webp',
      )
    })
  })

  describe('absolute URLs', () => {
    it("accepts the upstream's own origin", () => {
      expect(urlsOf(resolveImageReference('https://gen.akash.network/api/image/a.webp', ORIGIN))).toEqual([
        'https://gen.akash.network/api/image/a.webp',
      ])
    })

    it('accepts an allow-listed origin', () => {
      expect(
        urlsOf(
          resolveImageReference('https://cdn.akash.example/img/a.webp', ORIGIN, [
            'https://cdn.akash.example',
          ]),
        ),
      ).toEqual(['https://cdn.akash.example/img/a.webp'])
    })

    it('refuses the same host over another scheme', () => {
      expect(refusal('http://gen.akash.network/api/image/a.webp').code).toBe('UPSTREAM_ERROR')
    })
  })

  describe('references that would steer the gateway elsewhere (SSRF)', () => {
    it.each([
      ['a host-like relative path', '.evil.example/x'],
      ['a protocol-relative URL', '//evil.example/x'],
      ['a userinfo-like reference', '@evil.example'],
      ['another origin', 'https://evil.example/x.webp'],
      ['a look-alike host', 'http://gen.akash.network.evil.example/x'],
      ['credentials on the right host', 'https://user:pass@gen.akash.network/x'],
      ['a file URL', 'file:///etc/passwd'],
      ['a backslash after the slash', '/\\evil.example/x'],
      ['a newline inside a path', '/api/image/\n//evil.example/x'],
      ['a tab inside a path', '/\t/evil.example/x'],
      ['a NUL byte', '/api/image/a.webp\u0000'],
      ['DEL', '/api/\u007fimage'],
      ['an empty string', ''],
      ['only whitespace', '   '],
      ['a javascript URL', 'javascript:alert(1)'],
      ['a data URL that is not an image', 'data:text/html;base64,PHNjcmlwdD4='],
      ['a bare file name', 'job_1_00001_.webp'],
    ])('refuses %s', (_, result) => {
      const error = refusal(result)
      expect(error).toBeInstanceOf(GatewayError)
      expect(error.code).toBe('UPSTREAM_ERROR')
      expect(error.status).toBe(502)
      expect(error.message).toMatch(/^upstream returned an unusable image reference/)
    })

    it('refuses an origin that is allow-listed for someone else', () => {
      expect(refusal('https://evil.example/x.webp', ['https://cdn.akash.example']).code).toBe(
        'UPSTREAM_ERROR',
      )
    })

    it('reports the offending reference, shortened, in the details', () => {
      const long = `https://evil.example/${'a'.repeat(500)}`
      expect(refusal(long).details).toEqual({ result: long.slice(0, 200) })
    })
  })
})

describe('nextImageUrl', () => {
  it('builds /_next/image on the upstream origin with the path encoded', () => {
    expect(String(nextImageUrl('/api/image/a b.webp', ORIGIN))).toBe(
      'https://gen.akash.network/_next/image?url=%2Fapi%2Fimage%2Fa+b.webp&w=2048&q=100',
    )
  })

  it('never glues parameters onto a string without a ?', () => {
    const url = nextImageUrl('/x.webp', new URL('https://gen.akash.network/some/page'))
    expect(url.pathname).toBe('/_next/image')
    expect(String(url)).not.toContain('&w=2048&q=100&')
    expect([...url.searchParams.keys()]).toEqual(['url', 'w', 'q'])
  })
})
