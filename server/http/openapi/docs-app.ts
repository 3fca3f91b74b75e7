/**
 * The app behind `/openapi.json` and `/docs`, built on the first request to either: @fastify/swagger (and the
 * `yaml` package it loads), Swagger UI and @fastify/static cost start-up time and memory that most deployments
 * never use. It documents the gateway's routes, replayed from what the gateway registered.
 */
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify'
import { VERSION } from '../../version.ts'
import { ownCompilersOnly } from '../schema-compilers.ts'
import { nameComponents } from './components.ts'
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

/** A replayed route is never called: only its method, URL and docs are read. */
const neverCalled = async () => null

/**
 * Builds the docs app: the document of `routes` (the gateway's, in registration order, HEAD and `/docs` left
 * out) and Swagger UI under `docsPrefix`. Never listens; the gateway forwards to it.
 */
export async function buildDocsApp(
  routes: readonly RouteOptions[],
  docsPrefix: string,
): Promise<FastifyInstance> {
  nameComponents()
  const docs = Fastify({ logger: false, schemaController: ownCompilersOnly })
  await docs.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'akashgen gateway', version: VERSION, description: DESCRIPTION },
      tags: TAGS,
    },
    transform: documentRoute,
    transformObject: documentObject,
  })
  // The UI's files come from the package itself (no CDN); no validator badge, which would call swagger.io.
  await docs.register(fastifySwaggerUi, {
    routePrefix: docsPrefix,
    validatorUrl: false,
    uiConfig: { deepLinking: true, displayRequestDuration: true },
  })
  for (const { method, url, schema, config, validatorCompiler, serializerCompiler } of routes)
    docs.route({ method, url, schema, config, validatorCompiler, serializerCompiler, handler: neverCalled })
  await docs.ready()
  return docs
}
