// GET /_next/image?url=&w=&q=: Next.js's image optimiser, with its 400 checks and Accept-based re-encoding.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import { trackImageAnswer } from '../counters.ts'
import type { ImageFormat } from '../options.ts'
import { playFault } from './faults.ts'
import { sendImageBytes, storedImage } from './image-body.ts'
import { directImageFile } from './images.ts'
import { sendText } from './respond.ts'

const WIDTHS = [16, 32, 48, 64, 96, 128, 256, 384, 640, 750, 828, 1080, 1200, 1920, 2048, 3840]
/** Next refuses a longer `url` parameter. */
const MAX_URL_CHARS = 3072

/** Answers an optimiser request the way Next does: 400 plain text for a bad url, w or q, or a missing image. */
export async function nextImageRoute(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  ctx.counters.nextImageFetches++
  trackImageAnswer(ctx.counters, res)
  if (await playFault(ctx, 'image', req, res)) return
  const checked = checkQuery(url.searchParams, ctx.options().qualities)
  if (typeof checked === 'string') return sendText(res, 400, checked)
  const target = new URL(checked.path, 'http://emulator.invalid')
  const file = target.pathname.startsWith('/images/')
    ? decodeURIComponent(target.pathname.slice('/images/'.length))
    : directImageFile(target)
  const job = storedImage(ctx, file)
  // Next fetches a local url from its own routes; a 404 page there is not an image, so Next answers 400.
  if (!job) return sendText(res, 400, "The requested resource isn't a valid image.")
  const format = outputFormat(req.headers.accept ?? '', job.image.format)
  const bytes = await ctx.images.optimised(job.image, format, checked.width, checked.quality)
  res.setHeader('vary', 'Accept')
  sendImageBytes(ctx, res, bytes, `image/${format}`)
}

/** The checks of Next's `validateParams`, in its order and with its messages. */
function checkQuery(
  params: URLSearchParams,
  qualities: readonly number[] | null,
): { path: string; width: number; quality: number } | string {
  const [path, w, q] = (['url', 'w', 'q'] as const).map((name) => params.getAll(name))
  if (!path?.[0]) return '"url" parameter is required'
  if (path.length > 1) return '"url" parameter cannot be an array'
  const href = path[0]
  if (href.length > MAX_URL_CHARS) return '"url" parameter is too long'
  if (href.startsWith('//')) return '"url" parameter cannot be a protocol-relative URL (//)'
  // Absolute URLs need remotePatterns, which AkashGen's site does not configure.
  if (!href.startsWith('/')) return '"url" parameter is not allowed'
  if (/\/_next\/image($|\/)/.test(safeDecode(href.split('?')[0] ?? ''))) {
    return '"url" parameter cannot be recursive'
  }
  if (!w?.[0]) return '"w" parameter (width) is required'
  if (w.length > 1) return '"w" parameter (width) cannot be an array'
  if (!/^\d+$/.test(w[0])) return '"w" parameter (width) must be an integer greater than 0'
  if (!q?.[0]) return '"q" parameter (quality) is required'
  if (q.length > 1) return '"q" parameter (quality) cannot be an array'
  const qualityError = '"q" parameter (quality) must be an integer between 1 and 100'
  if (!/^\d+$/.test(q[0])) return qualityError
  const width = Number(w[0])
  if (width <= 0) return '"w" parameter (width) must be an integer greater than 0'
  if (!WIDTHS.includes(width)) return `"w" parameter (width) of ${width} is not allowed`
  const quality = Number(q[0])
  if (quality < 1 || quality > 100) return qualityError
  if (qualities && !qualities.includes(quality)) return `"q" parameter (quality) of ${q[0]} is not allowed`
  return { path: href, width, quality }
}

/** WebP for a caller that accepts it; else Next keeps a PNG or JPEG source as it is and turns WebP into JPEG. */
function outputFormat(accept: string, source: ImageFormat): ImageFormat {
  if (accept.includes('image/webp')) return 'webp'
  return source === 'webp' ? 'jpeg' : source
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
