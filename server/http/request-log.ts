/** One log line per request, and the request id echoed in `x-request-id`. */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Logger } from 'pino'

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Keeps a sane incoming `x-request-id` (so ids follow a request across services), else makes one. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id']
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID()
}

/** Whether the logger writes `info` lines (a pino logger says; any other is asked to log). */
const infoEnabled = (log: FastifyBaseLogger): boolean =>
  (log as Partial<Pick<Logger, 'isLevelEnabled'>>).isLevelEnabled?.('info') ?? true

/** Adds the `x-request-id` header and the per-request log line. */
export function installRequestLog(app: FastifyInstance): void {
  // Callback hooks, not async ones: an async hook costs a promise and a microtask per request (bench (b)).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', String(request.id))
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    // Checked first: the line's fields are not worth building when they are not logged (LOG_LEVEL=warn).
    if (infoEnabled(request.log))
      request.log.info(
        {
          method: request.method,
          path: request.url.split('?')[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      )
    done()
  })
}
