// GET /_next/image?url=&w=&q=: Next.js's image optimiser, with its 400 checks and Accept-based re-encoding.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import { trackImageAnswer } from '../counters.ts'
import { playFault } from './faults.ts'
import { sendImageBytes, storedImage } from './image-body.ts'
import { directImageFile } from './images.ts'
import { sendText } from './respond.ts'

const WIDTHS = [16, 32, 48, 64, 96, 128, 256, 384, 640, 750, 828, 1080, 1200, 1920, 2048, 3840]

/** Answers an optimiser request the way Next does: 400 plain text for a bad url, w or q. */
export async function nextImageRoute(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  ctx.counters.nextImageFetches++
  trackImageAnswer(ctx.counters, res)
  if (await playFault(ctx, 'image', req, res)) return
  const checked = checkQuery(url.searchParams)
  if (typeof checked === 'string') return sendText(res, 400, checked)
  const target = new URL(checked.path, 'http://emulator.invalid')
  const file = target.pathname.startsWith('/images/')
    ? decodeURIComponent(target.pathname.slice('/images/'.length))
    : directImageFile(target)
  const job = storedImage(ctx, file)
  if (!job) return sendText(res, 404, '"url" parameter is valid but upstream response is invalid')
  const format = (req.headers.accept ?? '').includes('image/webp') ? 'webp' : 'jpeg'
  const bytes = await ctx.images.optimised(job.image, format, checked.width, checked.quality)
  res.setHeader('vary', 'Accept')
  sendImageBytes(ctx, res, bytes, `image/${format}`)
}

function checkQuery(params: URLSearchParams): { path: string; width: number; quality: number } | string {
  const path = params.get('url')
  const w = params.get('w')
  const q = params.get('q')
  if (!path) return '"url" parameter is required'
  if (path.startsWith('/_next/image')) return '"url" parameter cannot be recursive'
  if (!path.startsWith('/') || path.startsWith('//')) return '"url" parameter is not allowed'
  if (!w) return '"w" parameter (width) is required'
  if (!q) return '"q" parameter (quality) is required'
  const width = Number(w)
  if (!/^\d+$/.test(w) || !WIDTHS.includes(width)) return `"w" parameter (width) of ${w} is not allowed`
  const quality = Number(q)
  if (!/^\d+$/.test(q) || quality < 1 || quality > 100) {
    return '"q" parameter (quality) must be an integer between 1 and 100'
  }
  return { path, width, quality }
}
