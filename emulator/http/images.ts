// GET /api/image/<file> and /api/image?filename=<file>: the stored image bytes; /images/<file> is not served.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import { trackImageAnswer } from '../counters.ts'
import { mimeOf } from '../images/draw.ts'
import { playFault } from './faults.ts'
import { sendImageBytes, storedImage } from './image-body.ts'
import { sendJson } from './respond.ts'

/** The file name a direct image path asks for, or null when the path is not a direct image path. */
export function directImageFile(url: URL): string | null {
  if (url.pathname === '/api/image') return url.searchParams.get('filename')
  if (url.pathname.startsWith('/api/image/'))
    return decodeURIComponent(url.pathname.slice('/api/image/'.length))
  return null
}

/** Answers a direct image fetch; the bare-path shape's /images/<file> always 404s, as rule 3 expects. */
export async function imageRoute(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  ctx.counters.imageFetches++
  trackImageAnswer(ctx.counters, res)
  if (await playFault(ctx, 'image', req, res)) return
  const job = storedImage(ctx, directImageFile(url))
  if (!job) return sendJson(res, 404, { error: 'Image not found' })
  const bytes = await ctx.images.render(job.image)
  sendImageBytes(ctx, res, bytes, mimeOf(job.image.format))
}
