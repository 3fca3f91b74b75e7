/** A pass-through proxy in front of the emulator that sends images without Content-Length (chunked). */
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A running proxy: its URL and how to stop it. */
export interface UndeclaredLengthProxy {
  url: string
  close(): Promise<void>
}

/** Starts the proxy on a loopback port; only image answers lose their declared length. */
export async function startUndeclaredLengthProxy(target: string): Promise<UndeclaredLengthProxy> {
  const server = createServer((incoming, outgoing) => {
    const forwarded = request(new URL(incoming.url ?? '/', target), {
      method: incoming.method,
      headers: incoming.headers,
    })
    forwarded.on('response', (response) => {
      const headers = { ...response.headers }
      if (String(headers['content-type']).startsWith('image/')) delete headers['content-length']
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
