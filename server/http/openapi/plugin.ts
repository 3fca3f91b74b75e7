/**
 * `GET /openapi.json` (the REST API as OpenAPI 3.1, generated from the zod contract) and Swagger UI at `/docs`.
 * Both are answered by the docs app (docs-app.ts), which is built on the first request to either.
 */
import type { FastifyInstance, RouteOptions } from 'fastify'
import { z } from 'zod'
import { lazyApp } from '../lazy-app.ts'
import { documented, json, REQUEST_ID_HEADER } from './route-docs.ts'

/** Where Swagger UI is served; its pages and assets are left out of the document. */
const DOCS_PREFIX = '/docs'

/**
 * Registers the document's and the UI's routes. Call it before any route: every route added after it is
 * collected for the document, and each documents itself with `documented(...)` options next to it.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const routes: RouteOptions[] = []
  app.addHook('onRoute', (route) => {
    // HEAD routes are Fastify's copies of GET ones; the UI's own routes are the docs app's.
    const ui = route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`)
    if (route.method !== 'HEAD' && !ui) routes.push(route)
  })
  const docs = lazyApp(async () => {
    const { buildDocsApp } = await import('./docs-app.ts')
    return buildDocsApp(routes, DOCS_PREFIX)
  })
  app.addHook('onClose', docs.close)
  app.get(
    '/openapi.json',
    documented({
      summary: 'This document',
      description: 'The REST API as OpenAPI 3.1. Swagger UI shows it at `/docs`.',
      tags: ['service'],
      response: {
        200: {
          description: 'The OpenAPI document.',
          content: json(z.looseObject({ openapi: z.string() })),
          headers: REQUEST_ID_HEADER,
        },
      },
    }),
    async () => (await docs.get()).swagger(),
  )
  app.get(DOCS_PREFIX, docs.forward)
  app.get(`${DOCS_PREFIX}/*`, docs.forward)
}
