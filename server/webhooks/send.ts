/** One delivery attempt: a POST to the checked address only, no redirects, a deadline, and a capped answer. */
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import type { Destination } from './destination.ts'

/** Most bytes of a receiver's answer read (and thrown away); the connection is closed beyond it. */
const MAX_ANSWER_BYTES = 64 * 1024

/** A lookup that always answers the checked address: the connection can not be steered elsewhere by DNS. */
function pinned({ address, family }: Destination): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address, family }])
    else callback(null, address, family)
  }
}

/**
 * POSTs `body` to `destination` and resolves with the receiver's status code, once its answer has been read
 * (up to MAX_ANSWER_BYTES). Rejects on a network error, or when `signal` aborts (the attempt's deadline).
 */
export function postWebhook(
  destination: Destination,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<number> {
  const { url } = destination
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      lookup: pinned(destination),
      // One connection per attempt: a pooled socket could be one made before the address was checked.
      agent: false,
      signal,
    })
    request.once('error', reject)
    request.once('response', (response) => {
      const status = response.statusCode ?? 0
      let read = 0
      response.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > MAX_ANSWER_BYTES) {
          response.destroy()
          resolve(status)
        }
      })
      response.once('end', () => resolve(status))
      response.once('error', () => resolve(status))
    })
    request.end(body)
  })
}
