/** Turns each route's zod docs into the document's JSON schemas, and leaves out what is not the REST API. */
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger'
import type { FastifySchema } from 'fastify'
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pruneComponents } from './components.ts'
import type { RouteDocs } from './route-docs.ts'
import { UNOWNED_ROUTE_DOCS } from './unowned-routes.ts'

/** Paths left out: tRPC (its own protocol, see docs/trpc-and-client.md), the UI's pages and the playground page's assets. */
const UNDOCUMENTED = [/^\/trpc(\/|$)/, /^\/docs(\/|$)/, /^\/playground\//]

const zodTransform = createJsonSchemaTransform({ skipList: [] })
const zodTransformObject = createJsonSchemaTransformObject({})

const isZod = (value: unknown): value is z.ZodType => value instanceof z.ZodType

/** True when every schema in `docs` is a zod schema (a route documented with plain JSON schemas is left as is). */
function isZodDocs(docs: FastifySchema): docs is RouteDocs {
  const inputs = [docs.body, docs.params, docs.querystring, docs.headers].filter(
    (value) => value !== undefined,
  )
  const responses = Object.values((docs.response ?? {}) as Record<string, unknown>)
  return (
    inputs.every(isZod) &&
    responses.every((response) => {
      if (isZod(response)) return true
      const content = (response as { content?: Record<string, { schema?: unknown }> }).content
      return Object.values(content ?? {}).every((media) => isZod(media.schema))
    })
  )
}

/** The docs of a route registered without any, from the table of routes whose files carry none yet. */
function unownedDocs(method: string | string[], url: string): RouteDocs | undefined {
  for (const one of [method].flat()) {
    const docs = UNOWNED_ROUTE_DOCS[`${one} ${url}`]
    if (docs) return docs
  }
  return undefined
}

/**
 * The per-route transform: the zod type provider's, plus what it drops (response headers, responses without a
 * body). A route without docs stays in the document with a bare default response, which the tests refuse.
 */
export const documentRoute: SwaggerTransform = ({ schema, url, route, ...document }) => {
  if (UNDOCUMENTED.some((pattern) => pattern.test(url))) return { schema: { hide: true }, url }
  const docs = (schema as FastifySchema | undefined) ?? unownedDocs(route.method, url)
  if (!docs || !isZodDocs(docs)) return { schema, url }
  // The provider converts only responses with a body; the others are added back below.
  const withBody = Object.entries(docs.response).filter(([, response]) => response.content)
  const transformed = zodTransform({
    schema: { ...docs, response: Object.fromEntries(withBody) },
    url,
    route,
    ...document,
  })
  const converted = transformed.schema as { response?: Record<string, object> }
  converted.response = Object.fromEntries(
    Object.entries(docs.response).map(([status, { description, content, headers }]) => [
      status,
      {
        // No `content` means no body: `type: 'null'` keeps @fastify/swagger from adding a default JSON one.
        ...(content ? converted.response?.[status] : { type: 'null' }),
        description,
        // The provider drops `headers`; @fastify/swagger reads them as JSON schemas.
        ...(headers ? { headers: headerSchemas(headers) } : {}),
      },
    ]),
  )
  return transformed
}

function headerSchemas(headers: NonNullable<RouteDocs['response'][string]['headers']>) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, { description, type = 'string' }]) => [name, { type, description }]),
  )
}

/** The whole-document transform: the provider's components, pruned to the ones in use. */
export const documentObject: SwaggerTransformObject = (document) =>
  pruneComponents(zodTransformObject(document))
