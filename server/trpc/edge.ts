/** What `/trpc` checks before tRPC reads anything: the key and rate limit, JSON bodies only, the batch size. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../errors.ts'
import { requireJson } from '../http/request-input.ts'
import type { ApiGuard } from '../http/security/auth-hook.ts'
import { subscriptionNames } from './router.ts'

/** The query string as tRPC reads it (URLSearchParams), so the count here is the count tRPC would run. */
const searchOf = (request: FastifyRequest) => new URLSearchParams(request.url.split('?')[1] ?? '')

/** How many calls the request makes: one per comma-separated procedure of a `?batch=1` path, else one. */
function callsOf(request: FastifyRequest, search = searchOf(request)): number {
  const path = (request.params as { path?: string }).path ?? ''
  return search.get('batch') === '1' ? path.split(',').length : 1
}

/** Whether the request announces a body (a length above 0, or a chunked one). */
const announcesBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0')

/**
 * The hook, from the headers and the URL only: nothing here waits for a body. A batch over `maxBatch` is refused
 * for the price of one call (it did no work), so one request can not spend a caller's whole budget either.
 * Subscriptions are admitted by the tRPC context instead (a GET has no body to wait for): there a refusal
 * reaches the client as a typed error in the stream, and the key may come in `connectionParams`.
 */
export function edgeHook(guard: ApiGuard, maxBatch: number) {
  const subscriptions = new Set<string>(subscriptionNames)
  // A GET of one subscription procedure, as tRPC reads it (the same path, the same `batch` flag), bodiless.
  const opensSubscription = (request: FastifyRequest, search: URLSearchParams) =>
    request.method === 'GET' &&
    !announcesBody(request) &&
    search.get('batch') !== '1' &&
    subscriptions.has((request.params as { path?: string }).path ?? '')
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const search = searchOf(request)
    const calls = callsOf(request, search)
    if (!opensSubscription(request, search)) await guard.admit(request, reply, calls > maxBatch ? 1 : calls)
    if (request.method === 'POST' || announcesBody(request)) {
      try {
        requireJson(request)
      } catch (error) {
        // The body is never read: closing the connection spares reading (and dropping) the rest of it.
        if (announcesBody(request)) reply.header('connection', 'close')
        throw error
      }
    }
    if (calls > maxBatch)
      throw new GatewayError(
        'INVALID_REQUEST',
        `a tRPC batch may have at most ${maxBatch} calls, not ${calls}`,
        {
          details: { limit: maxBatch, calls, variable: 'AKASHGEN_TRPC_MAX_BATCH' },
        },
      )
  }
}

/**
 * tRPC sets its own `Cache-Control` on some answers (`no-cache` on event streams), over the gateway's
 * `no-store`: its answer (a web Response) is rewritten before Fastify copies its headers.
 */
export const noStore = async (_request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
  if (payload instanceof Response && payload.headers.has('cache-control')) {
    const stream = payload.headers.get('content-type')?.startsWith('text/event-stream')
    payload.headers.set('cache-control', stream ? 'no-store, no-transform' : 'no-store')
  }
  return payload
}
