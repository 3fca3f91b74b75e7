/** createAkashGenClient: the fully typed tRPC client of the gateway (batched calls, subscriptions over SSE). */

import { TRPC_MAX_BATCH } from '@akashgen/contract'
import type { AppRouter } from '@akashgen/server/router'
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client'
import type { EventSource as EventSourcePolyfill, FetchLike } from 'eventsource'
import superjson from 'superjson'
import { fallbackEventSource } from './fallback-event-source.ts'

/** Headers sent with every call: a fixed object, or a function for values that change (e.g. a fresh key). */
export type HeadersOption =
  | Record<string, string>
  | (() => Record<string, string> | Promise<Record<string, string>>)

/** An `EventSource` class: the runtime's own, or the `eventsource` package's (which can send headers). */
export type EventSourceClass = typeof globalThis.EventSource | typeof EventSourcePolyfill

/** Where the gateway is and how to call it. */
export interface AkashGenClientOptions {
  /** The gateway's base URL, e.g. `http://localhost:6571` (a trailing `/trpc` is accepted too). */
  url: string
  /**
   * The gateway's API key: sent as `Authorization: Bearer <key>` on calls and image downloads, and as the
   * subscription's `connectionParams.apiKey` (a browser's EventSource can not send headers).
   */
  apiKey?: string
  headers?: HeadersOption
  /** A fetch implementation, for runtimes without a global one or for tests. */
  fetch?: typeof fetch
  /**
   * The EventSource class subscriptions use. Default: the runtime's global one, else (Node 20) the
   * `eventsource` package. Only the package's class sends `headers` and uses `fetch`: a browser's cannot.
   */
  EventSource?: EventSourceClass
}

/** The typed client: `client.generate.mutate(...)`, `client.jobEvents.subscribe(...)`, `client.health.query()`. */
export type AkashGenClient = TRPCClient<AppRouter>

/** The gateway's base URL without a trailing slash or `/trpc`. */
export function gatewayBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/trpc$/, '')
}

/** The headers of `options`, resolved for one request: the key's `authorization` and the caller's own. */
export async function resolveHeaders(options: AkashGenClientOptions): Promise<Record<string, string>> {
  const own = typeof options.headers === 'function' ? await options.headers() : (options.headers ?? {})
  return options.apiKey ? { authorization: `Bearer ${options.apiKey}`, ...own } : own
}

/** Creates the typed client: subscriptions go over SSE, everything else over batched HTTP, superjson on both. */
export function createAkashGenClient(options: AkashGenClientOptions): AkashGenClient {
  const url = `${gatewayBaseUrl(options.url)}/trpc`
  const apiKey = options.apiKey
  const polyfill = fallbackEventSource()
  const EventSource =
    options.EventSource ?? (globalThis.EventSource as EventSourceClass | undefined) ?? polyfill
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          ...(EventSource ? { EventSource } : {}),
          ...(apiKey ? { connectionParams: { apiKey } } : {}),
          ...(EventSource && EventSource === polyfill && (options.headers || options.fetch || apiKey)
            ? { eventSourceOptions: { fetch: fetchWithHeaders(options) } }
            : {}),
        }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          maxItems: TRPC_MAX_BATCH,
          ...(options.headers || apiKey ? { headers: () => resolveHeaders(options) } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      }),
    ],
  })
}

/** The `eventsource` package's fetch, with the client's headers added and its own fetch used. */
function fetchWithHeaders(options: AkashGenClientOptions): FetchLike {
  const doFetch = options.fetch ?? fetch
  return async (input, init) =>
    doFetch(input, { ...init, headers: { ...init.headers, ...(await resolveHeaders(options)) } })
}
