/**
 * Which URL an image is fetched from. Next.js's optimiser answers 400 for parameters it does not serve (Next 16
 * serves only configured qualities, `[75]` by default, while the gateway asks for `q=100`): after a 400 from
 * `/_next/image` the gateway tries an allowed quality, then the inner path directly, and remembers what worked.
 */
import type { Logger } from 'pino'
import { GatewayError } from '../errors.ts'
import type { UpstreamImageStream } from './image-download.ts'
import { resolveImageReference } from './image-reference.ts'

/** The quality Next 16 serves when `images.qualities` is not configured. */
const NEXT_DEFAULT_QUALITY = '75'

/** What last worked against this upstream's optimiser: a quality, or its inner path fetched directly. */
export interface ImageRouteMemory {
  quality: string | undefined
  innerDirect: boolean
}

/** A fresh memory: nothing learnt yet, so the first job asks for what its reference (or our default) says. */
export const createImageRouteMemory = (): ImageRouteMemory => ({ quality: undefined, innerDirect: false })

/** What openImageUrls needs: the downloader, the origin rules for an inner path, and where to learn. */
export interface ImageRouteDeps {
  open(url: URL): Promise<UpstreamImageStream>
  origin: URL
  allowedOrigins?: readonly string[]
  memory: ImageRouteMemory
  logger: Logger
  signal?: AbortSignal
}

/**
 * One URL to try. `plain`: a URL of the reference itself (any failure moves on, as rule 3 of the upstream
 * notes says); `optimiser`: `/_next/image` at one quality (only a 400 moves on: a timeout or a 5xx is not about
 * its parameters, and asking again would double the wait); `inner`: the optimiser's `url` fetched directly.
 */
interface Attempt {
  url: URL
  kind: 'plain' | 'optimiser' | 'inner'
  quality?: string
}

/** Opens the first attempt that answers with an image; each URL is asked at most once per call. */
export async function openImageUrls(
  urls: readonly URL[],
  deps: ImageRouteDeps,
): Promise<UpstreamImageStream> {
  const tried = new Set<string>()
  let lastError: unknown
  let refusedBefore = false
  // Attempts are built one at a time: the first usually answers, and each fallback costs URLs to build.
  for (const attempt of attemptsFor(urls, deps)) {
    if (tried.has(attempt.url.href)) continue
    tried.add(attempt.url.href)
    try {
      const image = await deps.open(attempt.url)
      learn(attempt, refusedBefore, deps)
      return image
    } catch (error) {
      if (deps.signal?.aborted) throw error
      lastError = error
      if (attempt.kind !== 'optimiser') continue
      if (!refused(error)) throw error
      refusedBefore = true
    }
  }
  throw lastError
}

/** The attempts for `urls`, in order. */
function* attemptsFor(urls: readonly URL[], deps: ImageRouteDeps): Generator<Attempt> {
  for (const url of urls) {
    if (url.pathname === '/_next/image') yield* optimiserAttempts(url, deps)
    else yield { url, kind: 'plain' }
  }
}

/** One optimiser URL's attempts: the quality that worked last, its own, Next's default, then the inner path. */
function* optimiserAttempts(url: URL, deps: ImageRouteDeps): Generator<Attempt> {
  const inner = () => {
    const direct = innerUrl(url, deps)
    return direct ? [{ url: direct, kind: 'inner' } as const] : []
  }
  if (deps.memory.innerDirect) yield* inner()
  const own = url.searchParams.get('q') ?? undefined
  const qualities = new Set([deps.memory.quality, own, NEXT_DEFAULT_QUALITY])
  for (const quality of qualities) {
    if (quality === undefined) continue
    if (quality === own) {
      yield { url, kind: 'optimiser', quality }
      continue
    }
    const attempt = new URL(url)
    attempt.searchParams.set('q', quality)
    yield { url: attempt, kind: 'optimiser', quality }
  }
  if (!deps.memory.innerDirect) yield* inner()
}

/** The optimiser's `url` parameter as a URL to fetch directly, under the same origin (SSRF) rules; else none. */
function innerUrl(url: URL, deps: ImageRouteDeps): URL | undefined {
  const inner = url.searchParams.getAll('url')
  if (inner.length !== 1 || !inner[0]) return undefined
  try {
    const source = resolveImageReference(inner[0], deps.origin, deps.allowedOrigins)
    const first = source.kind === 'fetch' ? source.urls[0] : undefined
    return first?.pathname === '/_next/image' ? undefined : first
  } catch {
    // An inner path the origin rules refuse is simply not tried; the optimiser's own answer stands.
    return undefined
  }
}

/** A 400 answer: the optimiser refused the parameters, or found no image behind `url`. */
function refused(error: unknown): boolean {
  return error instanceof GatewayError && (error.details as { status?: unknown } | undefined)?.status === 400
}

/** Remembers what just worked; logs when the optimiser had to be worked around, so an operator sees why. */
function learn(attempt: Attempt, refusedBefore: boolean, deps: ImageRouteDeps): void {
  const { memory } = deps
  if (attempt.kind === 'plain') return
  const before = { ...memory }
  if (attempt.kind === 'optimiser') {
    memory.quality = attempt.quality
    memory.innerDirect = false
  } else memory.innerDirect = true
  if (refusedBefore && (before.quality !== memory.quality || before.innerDirect !== memory.innerDirect)) {
    const route = memory.innerDirect ? { innerDirect: true } : { quality: memory.quality }
    deps.logger.info(route, 'upstream image optimiser refused our parameters: using what worked from now on')
  }
}
