/** createAkashGenClient: the fully typed tRPC client of the gateway. */
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client'
import superjson from 'superjson'
import type { AppRouter } from '../server/trpc/router.ts'

/** Headers sent with every call: a fixed object, or a function for values that change (e.g. a fresh key). */
export type HeadersOption =
  | Record<string, string>
  | (() => Record<string, string> | Promise<Record<string, string>>)

/** Where the gateway is and how to call it. */
export interface AkashGenClientOptions {
  /** The gateway's base URL, e.g. `http://localhost:6571` (a trailing `/trpc` is accepted too). */
  url: string
  headers?: HeadersOption
  /** A fetch implementation, for runtimes without a global one or for tests. */
  fetch?: typeof fetch
}

/** The typed client: `client.generate.mutate(...)`, `client.jobStatus.query(...)`, `client.health.query()`. */
export type AkashGenClient = TRPCClient<AppRouter>

/** The gateway's base URL without a trailing slash or `/trpc`. */
export function gatewayBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/trpc$/, '')
}

/** Creates the typed client. */
export function createAkashGenClient(options: AkashGenClientOptions): AkashGenClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${gatewayBaseUrl(options.url)}/trpc`,
        transformer: superjson,
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ],
  })
}

export type { AppRouter }
