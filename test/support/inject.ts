/** fetch() answered by app.inject(): for tests that only read a status, headers or a body (no socket needed). */
import type { FastifyInstance, InjectOptions } from 'fastify'

/** What the tests pass to fetch: a method, headers and a text body. */
export interface InjectInit {
  method?: InjectOptions['method']
  headers?: Record<string, string>
  body?: string
}

/** A fetch-shaped function for `app`: `path` is injected into the app, never sent over a socket. */
export function injectedFetch(app: FastifyInstance): (path: string, init?: InjectInit) => Promise<Response> {
  return async (path, init = {}) => {
    const answer = await app.inject({
      url: path,
      method: init.method ?? 'GET',
      headers: init.headers,
      payload: init.body,
    })
    const headers = new Headers()
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, String(one))
    }
    // A Response with one of these statuses may not carry a body, not even an empty one.
    const bodiless = [204, 205, 304].includes(answer.statusCode)
    return new Response(bodiless ? null : new Uint8Array(answer.rawPayload), {
      status: answer.statusCode,
      headers,
    })
  }
}
