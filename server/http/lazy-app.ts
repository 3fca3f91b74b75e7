/**
 * Rarely used surfaces (Swagger UI, the playground page) as a Fastify app of their own, built on their first
 * request and answered through `inject`: their packages (@fastify/swagger-ui, @fastify/static, yaml) then load
 * when someone asks for them, not at every start-up. The gateway's own hooks (security headers, the request log,
 * the API-key guard) still run on the forwarding route.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** Hop-by-hop and framing headers: the forwarding reply sets its own. */
const NOT_FORWARDED = new Set([
  'connection',
  'content-length',
  'date',
  'keep-alive',
  'transfer-encoding',
  'host',
])

/** A sub-app built once, on first use; a failed build is tried again on the next request. */
export interface LazyApp {
  /** The built app (built now when it is not yet). */
  get(): Promise<FastifyInstance>
  /** A GET handler answering with what the sub-app answers for the same URL and headers; its 404s are ours. */
  forward(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>
  /** Closes the sub-app when it was built. */
  close(): Promise<void>
}

/** Wraps `build` (which should `import()` the surface's packages) so that it runs on the first request only. */
export function lazyApp(build: () => Promise<FastifyInstance>): LazyApp {
  let built: Promise<FastifyInstance> | undefined
  const get = () => {
    built ??= build().catch((error: unknown) => {
      built = undefined
      throw error
    })
    return built
  }
  return {
    get,
    async forward(request, reply) {
      const sub = await get()
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => !NOT_FORWARDED.has(name)),
      ) as Record<string, string>
      // GET for HEAD too: Fastify's HEAD route then drops the body and keeps the length.
      const answer = await sub.inject({ method: 'GET', url: request.url, headers })
      if (answer.statusCode === 404) {
        reply.callNotFound()
        return reply
      }
      for (const [name, value] of Object.entries(answer.headers))
        if (value !== undefined && !NOT_FORWARDED.has(name)) reply.header(name, value)
      return reply.status(answer.statusCode).send(answer.rawPayload)
    },
    async close() {
      const sub = await built?.catch(() => undefined)
      await sub?.close()
    },
  }
}
