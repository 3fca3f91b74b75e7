/** `GET /openapi.json` (the REST API as OpenAPI 3.1, generated from the zod contract) and Swagger UI at `/docs`. */
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { VERSION } from '../../version.ts'
import { nameComponents } from './components.ts'
import { documented, json, REQUEST_ID_HEADER } from './route-docs.ts'
import { documentObject, documentRoute } from './transform.ts'

const DESCRIPTION = `A typed gateway for AI image generation, in front of AkashGen.

Every request and response below is derived from the same zod contract as the typed tRPC API, served at
\`/trpc\` (superjson over HTTP, with server-sent events for subscriptions). tRPC is not part of this document:
see [The tRPC API](docs/trpc-and-client.md#the-trpc-api-trpc) in the repository's docs.

Every error is JSON, an \`ErrorBody\` with a stable \`code\`; the same code is in every tRPC error's
\`data.errorCode\`.`

/** The tags, in the order the UI lists them. */
const TAGS = [
  { name: 'images', description: 'Generate an image.' },
  { name: 'jobs', description: "A job's view, image and live events; cancelling it." },
  { name: 'service', description: 'Health and this document.' },
  { name: 'openai', description: "OpenAI's images and models API, for OpenAI SDKs." },
  { name: 'pages', description: 'Pages for a browser.' },
]

/** Where Swagger UI is served; its pages and assets are left out of the document. */
const DOCS_PREFIX = '/docs'

/**
 * Registers the document and the UI. Call it before any route: @fastify/swagger collects routes as they are
 * added, and each route documents itself with `documented(...)` options next to it.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  nameComponents()
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'akashgen gateway', version: VERSION, description: DESCRIPTION },
      tags: TAGS,
    },
    transform: documentRoute,
    transformObject: documentObject,
  })
  // The UI's files come from the package itself (no CDN); no validator badge, which would call swagger.io.
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    validatorUrl: false,
    uiConfig: { deepLinking: true, displayRequestDuration: true },
  })
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
    async () => app.swagger(),
  )
}
