/** CORS, off unless `AKASHGEN_CORS_ORIGINS` names the web origins allowed to call the API from a browser. */
import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'

/** Request headers a cross-origin caller may send (a preflight asking for others gets none allowed). */
const ALLOWED_HEADERS = [
  'authorization',
  'x-api-key',
  'content-type',
  'idempotency-key',
  'last-event-id',
  'x-request-id',
  'trpc-accept',
]

/** Response headers a cross-origin caller's script may read. */
const EXPOSED_HEADERS = [
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'www-authenticate',
  'x-request-id',
  'x-job-id',
]

/**
 * Registers @fastify/cors when origins are configured: exact origins (or `*`), no cookies (keys travel in
 * headers), preflights answered before the API guard so they need no key.
 */
export async function registerCors(app: FastifyInstance, config: Config): Promise<void> {
  const origins = config.AKASHGEN_CORS_ORIGINS
  if (!origins) return
  await app.register(fastifyCors, {
    origin: origins === '*' ? '*' : origins,
    methods: ['GET', 'HEAD', 'POST', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  })
}
