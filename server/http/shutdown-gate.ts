/** Refuses new API requests once shutdown has begun, and makes `/ready` say so; `/health` keeps answering. */
import type { Readiness } from '@akashgen/contract'
import type { FastifyInstance } from 'fastify'
import { SHUTDOWN_RETRY_AFTER_S, type Shutdown, shuttingDown } from '../shutdown.ts'

/** Path prefixes of the work-taking APIs; tRPC refuses in its own middleware, in its own error shape. */
const API_PREFIXES = ['/api/', '/v1/']

/**
 * Installs an `onRequest` hook: while shutting down, API requests get 503 SHUTTING_DOWN with `Retry-After`
 * (thrown, so the OpenAI facade answers in its own shape) and `/ready` answers 503 with the reason, so load
 * balancers stop sending traffic while jobs in flight finish.
 */
export function installShutdownGate(app: FastifyInstance, shutdown: Shutdown): void {
  // A callback hook: every request passes it, and an async one costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    if (!shutdown.started) return done()
    const path = request.url.split('?')[0] ?? ''
    if (path === '/ready') {
      const state: Readiness = { ready: false, reasons: ['the gateway is shutting down'] }
      // Answered here: a callback hook that sends does not call done().
      reply.code(503).header('retry-after', String(SHUTDOWN_RETRY_AFTER_S)).send(state)
      return
    }
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      reply.header('connection', 'close')
      return done(shuttingDown())
    }
    done()
  })
}
