/** `GET /openapi.json` and `/docs` over a real socket: a valid OpenAPI 3.1 document of every REST route, from the contract. */
import {
  DEFAULT_PREFERRED_GPUS,
  ERROR_CODES,
  GenerateInput,
  GPUS,
  MAX_PROMPT_LENGTH,
  SAMPLER_ALIASES,
  SAMPLERS,
  SCHEDULERS,
} from '@akashgen/contract'
import { Validator } from '@seriousme/openapi-schema-validator'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { headingAnchors, readRepoFile } from '../support/markdown.ts'

const harness = useGatewayHarness()

type Schema = Record<string, unknown> & { $ref?: string; properties?: Record<string, Schema> }
interface Response {
  description: string
  content?: Record<string, { schema: Schema }>
  headers?: Record<string, unknown>
}
interface Operation {
  summary?: string
  responses: Record<string, Response>
  requestBody?: { content: Record<string, { schema: Schema }> }
  parameters?: { in: string; name: string }[]
}
interface Document {
  openapi: string
  info: { description: string }
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema> }
}

/** The gateway's document, fetched as a client would. */
async function openDocument(): Promise<{ document: Document; app: FastifyInstance; url: string }> {
  const gateway = await harness.openGateway()
  const response = await fetch(`${gateway.url}/openapi.json`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  return { document: (await response.json()) as Document, app: gateway.app, url: gateway.url }
}

/** The component a `$ref` names. */
function resolve(document: Document, schema: Schema | undefined): Schema {
  const name = schema?.$ref?.replace('#/components/schemas/', '')
  const component = name === undefined ? undefined : document.components.schemas[name]
  if (!component) throw new Error(`not a reference to a component: ${JSON.stringify(schema)}`)
  return component
}

/**
 * Every route the app registered, as `METHOD /path` in OpenAPI's `{param}` form, read from Fastify's own route
 * tree (not from the document's collector). HEAD routes Fastify adds for each GET are left out.
 */
function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(?<indent>[│ ]*)[├└]── (?<segment>.+?)(?: \((?<methods>[A-Z, ]+)\))?$/u.exec(line)
    if (!match?.groups) continue
    const depth = (match.groups.indent?.length ?? 0) / 4
    stack.length = depth
    stack.push(match.groups.segment ?? '')
    const path = stack.join('').replace(/:(\w+)/g, '{$1}')
    for (const method of match.groups.methods?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push(`${method} ${path}`)
    }
  }
  return routes
}

/** Not REST routes of ours: tRPC, the UI's pages and the playground page's static assets. */
const isDocumentable = (route: string) => !/ \/(trpc|docs)(\/|$)| \/playground\//.test(route)

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document that points to the tRPC docs page', async () => {
    const { document } = await openDocument()
    const validator = new Validator()
    const result = await validator.validate(document as unknown as Parameters<Validator['validate']>[0])
    expect(result.errors).toBeUndefined()
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
    expect(document.openapi).toMatch(/^3\.1\./)
    expect(document.info.description).toContain('`/trpc`')
    expect(document.info.description).toContain('](docs/trpc-and-client.md#the-trpc-api-trpc)')
    // The link leads somewhere: the page exists in the repository and has that heading.
    expect(headingAnchors(readRepoFile('docs/trpc-and-client.md')).has('the-trpc-api-trpc')).toBe(true)
  })

  it('lists every REST route the app registered, with its methods, each documented', async () => {
    const { document, app } = await openDocument()
    const expected = registeredRoutes(app).filter(isDocumentable).toSorted()
    // The route tree is read right: the routes every gateway has are in it.
    expect(expected).toEqual(
      expect.arrayContaining([
        'POST /api/generate',
        'GET /api/jobs/{id}',
        'DELETE /api/jobs/{id}',
        'GET /api/jobs/{id}/image',
        'GET /api/jobs/{id}/events',
        'GET /health',
        'GET /openapi.json',
      ]),
    )
    const listed = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(listed.toSorted()).toEqual(expected)
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        // A route registered without docs gets neither a summary nor described responses.
        const where = `${method.toUpperCase()} ${path}: add documented({...}) next to the route`
        expect(operation.summary, where).toBeTruthy()
        expect(
          Object.values(operation.responses).map((r) => r.description),
          where,
        ).not.toContain('Default Response')
      }
    }
  })

  it("documents the generate body as the contract's GenerateInput", async () => {
    const { document } = await openDocument()
    const body = document.paths['/api/generate']?.post?.requestBody?.content['application/json']?.schema
    const input = resolve(document, body)
    expect(input.required).toEqual(['prompt'])
    const { prompt, negative, sampler, scheduler } = input.properties ?? {}
    expect(prompt).toMatchObject({ type: 'string', minLength: 1, maxLength: MAX_PROMPT_LENGTH })
    expect(negative).toMatchObject({ type: 'string', maxLength: MAX_PROMPT_LENGTH })
    expect(sampler?.enum).toEqual(expect.arrayContaining([...SAMPLERS, ...Object.keys(SAMPLER_ALIASES)]))
    expect(scheduler?.enum).toEqual([...SCHEDULERS])
    // Every value the document offers is one the gateway accepts.
    for (const name of (sampler?.enum ?? []) as string[])
      expect(GenerateInput.safeParse({ prompt: 'a', sampler: name }).success, name).toBe(true)
    for (const name of (scheduler?.enum ?? []) as string[])
      expect(GenerateInput.safeParse({ prompt: 'a', scheduler: name }).success, name).toBe(true)
  })

  it('documents preferredGpu from the GPU table, on the REST body and as /v1 preferred_gpu', async () => {
    const { document } = await openDocument()
    const body = document.paths['/api/generate']?.post?.requestBody?.content['application/json']?.schema
    const expected = {
      type: 'array',
      items: { type: 'string', enum: [...GPUS] },
      minItems: 1,
      uniqueItems: true,
      description: expect.stringContaining(DEFAULT_PREFERRED_GPUS.join(', ')),
    }
    expect(resolve(document, body).properties?.preferredGpu).toMatchObject(expected)
    const images =
      document.paths['/v1/images/generations']?.post?.requestBody?.content['application/json']?.schema
    const imagesBody = images?.$ref ? resolve(document, images) : images
    expect(imagesBody?.properties?.preferred_gpu).toMatchObject(expected)
    expect(GenerateInput.safeParse({ prompt: 'a', preferredGpu: [...GPUS] }).success).toBe(true)
  })

  it('answers every error status of every route with the ErrorBody schema and its code', async () => {
    const { document } = await openDocument()
    const errorBody = document.components.schemas.ErrorBody
    expect(errorBody?.required).toEqual(expect.arrayContaining(['error', 'code', 'retryable']))
    expect(errorBody?.properties?.code?.enum).toEqual(Object.keys(ERROR_CODES))
    const generate = document.paths['/api/generate']?.post?.responses ?? {}
    expect(Object.keys(generate)).toEqual(
      expect.arrayContaining(['400', '413', '415', '429', '499', '500', '502', '504']),
    )
    expect(generate['429']?.headers).toHaveProperty('Retry-After')
    expect(generate['400']?.description).toContain('INVALID_REQUEST')
    const lookups = ['/api/jobs/{id}', '/api/jobs/{id}/image', '/api/jobs/{id}/events']
    for (const path of lookups) expect(document.paths[path]?.get?.responses).toHaveProperty('404')
    let errors = 0
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, { responses }] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) < 400) continue
          errors++
          const schema = response.content?.['application/json']?.schema
          // The OpenAI-compatible routes answer errors as OpenAI does; readiness answers its own report.
          const body = path.startsWith('/v1/') ? 'OpenAIError' : path === '/ready' ? 'Readiness' : 'ErrorBody'
          expect(schema, `${method} ${path} ${status}`).toEqual({ $ref: `#/components/schemas/${body}` })
        }
      }
    }
    expect(errors).toBeGreaterThan(20)
  })

  it('declares the image responses as binary, the job views as Job and the event stream', async () => {
    const { document } = await openDocument()
    const binary = { type: 'string', format: 'binary' }
    const images = { 'image/webp': binary, 'image/png': binary, 'image/jpeg': binary }
    const schemasOf = (response: Response | undefined) =>
      Object.fromEntries(Object.entries(response?.content ?? {}).map(([type, { schema }]) => [type, schema]))
    const job = { $ref: '#/components/schemas/Job' }
    const generate = document.paths['/api/generate']?.post?.responses
    expect(schemasOf(generate?.['200'])).toEqual({ ...images, 'application/json': job })
    expect(Object.keys(generate?.['200']?.headers ?? {})).toEqual(
      expect.arrayContaining(['X-Job-Id', 'X-Worker-Gpu', 'X-Upstream-Elapsed', 'X-Request-Id']),
    )
    expect(schemasOf(generate?.['202'])).toEqual({ 'application/json': job })
    expect(Object.keys(generate?.['202']?.headers ?? {})).toEqual(
      expect.arrayContaining(['Location', 'Retry-After', 'X-Job-Id']),
    )
    expect(document.paths['/api/generate']?.post?.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'Prefer' }),
    )
    expect(schemasOf(document.paths['/api/jobs/{id}/image']?.get?.responses['200'])).toEqual(images)
    expect(schemasOf(document.paths['/api/jobs/{id}']?.get?.responses['200'])).toEqual({
      'application/json': job,
    })
    expect(schemasOf(document.paths['/api/jobs/{id}']?.delete?.responses['200'])).toEqual({
      'application/json': job,
    })
    const events = document.paths['/api/jobs/{id}/events']?.get
    expect(Object.keys(events?.responses['200']?.content ?? {})).toEqual(['text/event-stream'])
    expect(events?.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'Last-Event-ID' }),
    )
    expect(events?.parameters).toContainEqual(expect.objectContaining({ in: 'query', name: 'lastEventId' }))
    expect(resolve(document, { $ref: '#/components/schemas/JobEvent' }).properties?.job).toEqual(job)
  })
})

describe('the documented routes behave as before', () => {
  it('still refuse bad bodies with our own INVALID_REQUEST and UNSUPPORTED_MEDIA_TYPE errors', async () => {
    const gateway = await harness.openGateway()
    const post = (body: string, contentType: string) =>
      fetch(`${gateway.url}/api/generate`, { method: 'POST', headers: { 'content-type': contentType }, body })
    const invalid = await post(JSON.stringify({ prompt: 'a', sampler: 'warp' }), 'application/json')
    expect(invalid.status).toBe(400)
    const error = (await invalid.json()) as { code: string; error: string; details: unknown }
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.error).toMatch(/^invalid request: unknown sampler "warp": must be one of euler, /)
    expect(error.details).toMatchObject({ fieldErrors: { sampler: [expect.stringContaining('warp')] } })
    const text = await post('a lighthouse', 'text/plain')
    expect(text.status).toBe(415)
    expect(((await text.json()) as { code: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE')
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it('answer whole Job views, no field stripped', async () => {
    const gateway = await harness.openGateway()
    const response = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ prompt: 'a lighthouse at dawn' }),
    })
    expect(response.status).toBe(200)
    const view = (await response.json()) as Record<string, unknown>
    expect(Object.keys(view).toSorted()).toEqual(
      [
        'createdAt',
        'elapsedMs',
        'finishedAt',
        'imageUrl',
        'jobId',
        'queuePosition',
        'status',
        'worker',
      ].toSorted(),
    )
    const again = await fetch(`${gateway.url}/api/jobs/${view.jobId}`)
    expect(await again.json()).toEqual({ ...view, elapsedMs: expect.any(Number) })
  })
})

describe('GET /docs', () => {
  it('serves Swagger UI whose scripts and styles all come from the gateway itself', async () => {
    const gateway = await harness.openGateway()
    const page = await fetch(`${gateway.url}/docs`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    const attributes = [...html.matchAll(/<(script|link)\b[^>]*?\b(src|href)="([^"]*)"/g)].map(
      (m) => m[3] ?? '',
    )
    const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1])
    expect(scripts.length).toBeGreaterThanOrEqual(3)
    expect(html).toContain('rel="stylesheet"')
    for (const reference of attributes) {
      const url = new URL(reference, page.url)
      expect(url.origin, reference).toBe(gateway.url)
      const asset = await fetch(url)
      expect(asset.status, reference).toBe(200)
      expect((await asset.arrayBuffer()).byteLength, reference).toBeGreaterThan(0)
    }
    const initializer = await (await fetch(`${gateway.url}/docs/static/swagger-initializer.js`)).text()
    // No validator badge (it would load an image from swagger.io); URLs appear only in comments.
    expect(initializer).toContain('validatorUrl: null')
    const code = initializer.replace(/\/\/ .*$/gm, '')
    expect(code).not.toMatch(/https?:\/\//)
    // The UI shows the same document as /openapi.json.
    const shown = await (await fetch(new URL('/docs/json', gateway.url))).json()
    expect(shown).toEqual(await (await fetch(`${gateway.url}/openapi.json`)).json())
  })
})
