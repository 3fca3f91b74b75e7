/** A pass-through HTTP proxy in front of the gateway that records each request's path and Authorization header. */
import { startProxy, type TestProxy } from '../support/proxy.ts'

/** One request the proxy forwarded. */
export interface RecordedRequest {
  method: string
  path: string
  authorization: string | undefined
}

/** A running proxy: its URL, what went through it, and how to stop it. */
export interface RecordingProxy extends TestProxy {
  requests: RecordedRequest[]
}

/** Starts a proxy on a loopback port forwarding everything (event streams included) to `target`. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = []
  const proxy = await startProxy(target, {
    onRequest: (incoming) =>
      requests.push({
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        authorization: incoming.headers.authorization,
      }),
  })
  return { ...proxy, requests }
}
