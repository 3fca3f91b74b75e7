/** A pass-through HTTP proxy in front of the gateway that records each request's path and Authorization header. */
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the proxy forwarded. */
export interface RecordedRequest {
  method: string
  path: string
  authorization: string | undefined
}

/** A running proxy: its URL, what went through it, and how to stop it. */
export interface RecordingProxy {
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

/** Starts a proxy on a loopback port forwarding everything (event streams included) to `target`. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = []
  const server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? '/'
    requests.push({ method: incoming.method ?? 'GET', path, authorization: incoming.headers.authorization })
    const forwarded = request(new URL(path, target), { method: incoming.method, headers: incoming.headers })
    forwarded.on('response', (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers)
      response.pipe(outgoing)
    })
    forwarded.on('error', () => outgoing.destroy())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
