/** A pass-through HTTP proxy on a loopback port, for tests that watch or bend what crosses it. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What a test may do to the traffic. */
export interface ProxyHooks {
  /** Sees each request before it is forwarded. */
  onRequest?(incoming: IncomingMessage): void
  /** The headers to answer with instead of the target's (streams, event streams included, pass unchanged). */
  responseHeaders?(headers: IncomingHttpHeaders): IncomingHttpHeaders
}

/** A running proxy: its URL, and how to stop it (open connections included). */
export interface TestProxy {
  url: string
  close(): Promise<void>
}

/** Starts a proxy forwarding everything to `target`. */
export async function startProxy(target: string, hooks: ProxyHooks = {}): Promise<TestProxy> {
  const server = createServer((incoming, outgoing) => {
    hooks.onRequest?.(incoming)
    const forwarded = request(new URL(incoming.url ?? '/', target), {
      method: incoming.method,
      headers: incoming.headers,
    })
    forwarded.on('response', (response) => {
      const headers = hooks.responseHeaders?.(response.headers) ?? response.headers
      outgoing.writeHead(response.statusCode ?? 502, headers)
      response.pipe(outgoing)
    })
    forwarded.on('error', () => outgoing.destroy())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A proxy in front of the emulator that sends images without Content-Length (chunked, length undeclared). */
export function startUndeclaredLengthProxy(target: string): Promise<TestProxy> {
  return startProxy(target, {
    responseHeaders: (headers) => {
      if (!String(headers['content-type']).startsWith('image/')) return headers
      const { 'content-length': _declared, ...rest } = headers
      return rest
    },
  })
}

/** A proxy that cuts the first `jobEvents` stream's connection `afterMs` after it opened; `streams` lists them all. */
export async function startStreamCuttingProxy(
  target: string,
  afterMs: number,
): Promise<TestProxy & { streams: IncomingMessage[] }> {
  const streams: IncomingMessage[] = []
  const proxy = await startProxy(target, {
    onRequest: (incoming) => {
      if (!incoming.url?.startsWith('/trpc/jobEvents')) return
      streams.push(incoming)
      if (streams.length === 1) setTimeout(() => incoming.socket.destroy(), afterMs)
    },
  })
  return { ...proxy, streams }
}
