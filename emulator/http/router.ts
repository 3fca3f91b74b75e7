// The request listener: counts each request by path, routes it, and turns a thrown error into a 500.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import { logRequest } from '../counters.ts'
import { controlRoute } from './control.ts'
import { imageRoute } from './images.ts'
import { nextImageRoute } from './next-image.ts'
import { sendJson } from './respond.ts'
import { statusRoute } from './status.ts'
import { submitRoute } from './submit.ts'

type Route = (ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

/** Builds the node:http request listener for one emulator. */
export function createRequestListener(ctx: EmulatorContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid')
    const key = pathKey(url.pathname)
    ctx.counters.requestsByPath[key] = (ctx.counters.requestsByPath[key] ?? 0) + 1
    if (!url.pathname.startsWith('/__emulator/')) logRequest(ctx.counters, req, res)
    const route = routeFor(url.pathname)
    route(ctx, req, res, url).catch((error: Error) => {
      if (res.headersSent) res.destroy()
      else sendJson(res, 500, { error: `emulator error: ${error.message}` })
    })
  }
}

function routeFor(path: string): Route {
  if (path === '/api/generate') return submitRoute
  if (path === '/api/status') return getOnly(statusRoute)
  if (path === '/api/image' || path.startsWith('/api/image/') || path.startsWith('/images/')) {
    return getOnly(imageRoute)
  }
  if (path === '/_next/image') return getOnly(nextImageRoute)
  if (path.startsWith('/__emulator/')) return controlRoute
  return async (_ctx, _req, res) => sendJson(res, 404, { error: 'Not found' })
}

function getOnly(route: Route): Route {
  return async (ctx, req, res, url) => {
    if (req.method === 'GET' || req.method === 'HEAD') return route(ctx, req, res, url)
    sendJson(res, 405, { error: 'Method not allowed' }, { allow: 'GET' })
  }
}

// Image files get one key per folder so a benchmark does not grow the map without bound.
function pathKey(path: string): string {
  if (path.startsWith('/api/image/')) return '/api/image/*'
  if (path.startsWith('/images/')) return '/images/*'
  return path
}
