/** Turns an upstream `result` into where its image bytes come from, refusing anything off-origin (SSRF). */
import { GatewayError } from '../errors.ts'
import { MAX_RESULT_REFERENCE_CHARS } from './limits.ts'

/** The image is inline (a data URL) or must be fetched from one of `urls`, tried in order. */
export type ImageSource = { kind: 'inline'; bytes: Uint8Array } | { kind: 'fetch'; urls: URL[] }

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i
/** Width and quality asked of Next's optimiser: the largest size it serves and no recompression loss. */
const NEXT_WIDTH = '2048'
const NEXT_QUALITY = '100'

function refuse(result: string, why: string): never {
  throw new GatewayError('UPSTREAM_ERROR', `upstream returned an unusable image reference: ${why}`, {
    details: { result: result.slice(0, 200) },
  })
}

/** `/_next/image?url=<path>&w=2048&q=100` on the upstream origin, built with the URL API. */
export function nextImageUrl(path: string, origin: URL): URL {
  const url = new URL('/_next/image', origin)
  url.searchParams.set('url', path)
  url.searchParams.set('w', NEXT_WIDTH)
  url.searchParams.set('q', NEXT_QUALITY)
  return url
}

/**
 * Resolves `result` against the upstream `origin`. Only data URLs, paths on the upstream origin and absolute
 * URLs on the upstream's (or an allow-listed) origin are accepted; everything else would let the upstream
 * steer the gateway to another host.
 */
export function resolveImageReference(
  result: string,
  origin: URL,
  allowedOrigins: readonly string[] = [],
  maxBytes = Number.POSITIVE_INFINITY,
): ImageSource {
  const trimmed = result.trim()
  if (DATA_URL.test(trimmed)) {
    const base64 = trimmed.slice(trimmed.indexOf(',') + 1)
    const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0
    if (Math.floor((base64.length * 3) / 4) - padding > maxBytes)
      refuse(result, `inline image over ${maxBytes} bytes`)
    return { kind: 'inline', bytes: new Uint8Array(Buffer.from(base64, 'base64')) }
  }
  // Refused rather than cut: a cut URL points at something else. A data URL is bounded by the cap above.
  if (trimmed.length > MAX_RESULT_REFERENCE_CHARS)
    refuse(result, `it is longer than ${MAX_RESULT_REFERENCE_CHARS} characters`)
  // A backslash or control character can turn "/\evil" into "//evil" inside the URL parser.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(trimmed)) refuse(result, 'it contains a backslash or control character')
  const onOrigin = (url: URL) => url.origin === origin.origin
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) {
    const url = new URL(trimmed, origin)
    if (!onOrigin(url)) refuse(result, 'it leaves the upstream origin')
    if (url.pathname === '/_next/image') {
      if (!url.searchParams.has('w')) url.searchParams.set('w', NEXT_WIDTH)
      if (!url.searchParams.has('q')) url.searchParams.set('q', NEXT_QUALITY)
      return { kind: 'fetch', urls: [url] }
    }
    return { kind: 'fetch', urls: [url, nextImageUrl(url.pathname + url.search, origin)] }
  }
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL
    try {
      url = new URL(trimmed)
    } catch {
      refuse(result, 'it is not a valid URL')
    }
    if (url.username || url.password) refuse(result, 'it carries credentials')
    if (!onOrigin(url) && !allowedOrigins.includes(url.origin))
      refuse(result, `origin ${url.origin} is not allowed`)
    return { kind: 'fetch', urls: [url] }
  }
  refuse(result, trimmed === '' ? 'it is empty' : 'it is neither a data URL, a path nor an upstream URL')
}
