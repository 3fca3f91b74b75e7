/** Security headers on every response (helmet's), with a strict CSP and a relaxed one for Swagger UI. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'
import { routeKindOf } from './auth-hook.ts'

/**
 * The policy of every response, the playground page's included: its script, stylesheet and API calls are all
 * same-origin, and its images are blob: URLs of bytes it fetched with the key. No inline script or style.
 * No `upgrade-insecure-requests`: the gateway is often reached over plain HTTP (localhost, a private network).
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  upgradeInsecureRequests: null,
}

/**
 * Swagger UI (`/docs`) needs inline styles (its React components set `style` attributes) and `data:` images
 * (its icons); its scripts are files of its own. Only its pages get this policy.
 */
export const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; " +
  "script-src-attr 'none'; style-src 'self' 'unsafe-inline'"

/**
 * What helmet writes with these options, worked out once: its headers do not depend on the request, and
 * @fastify/helmet built (and re-parsed) the whole middleware for every request, 6% of the CPU in bench (b).
 */
function helmetHeaders(): { set: [string, string][]; removed: string[] } {
  const set = new Map<string, string>()
  const removed: string[] = []
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.set(name.toLowerCase(), String(value))
    },
    removeHeader(name: string) {
      set.delete(name.toLowerCase())
      removed.push(name.toLowerCase())
    },
  }
  const middleware = helmet({ contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES } })
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error
  })
  return { set: [...set], removed }
}

/**
 * Helmet's headers on every response, and two exceptions: Swagger UI's policy on `/docs`, and
 * `Cross-Origin-Resource-Policy: cross-origin` on job images, whose URLs the API hands out to be shown anywhere
 * (the key, when keys are on, still guards them).
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders()
  app.addHook('onRequest', (request, reply, done) => {
    // On the raw response, as helmet writes them: a route's own reply.header() still replaces a value.
    for (const name of headers.removed) reply.raw.removeHeader(name)
    for (const [name, value] of headers.set) reply.raw.setHeader(name, value)
    const route = request.routeOptions.url ?? ''
    if (route === '/docs' || route.startsWith('/docs/'))
      reply.raw.setHeader('content-security-policy', DOCS_CSP)
    if (route === '/api/jobs/:id/image') reply.raw.setHeader('cross-origin-resource-policy', 'cross-origin')
    done()
  })
}

/**
 * `Cache-Control: no-store` on every API answer (REST, tRPC, `/v1`, errors included): job views and results
 * change and may be private, so no browser or shared cache may keep them. Routes with cacheable bytes (a job's
 * image) set their own value, which replaces this one.
 */
export function installNoStore(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const kind = routeKindOf(request.routeOptions.url)
    if (kind === 'api' || kind === 'trpc') reply.header('cache-control', 'no-store')
    done()
  })
}
