/**
 * Upstream JSON calls over node:http rather than fetch: undici's fetch (web streams, Request/Response objects,
 * its own abort plumbing) was over a quarter of the gateway's CPU per image in the bench's scenario (b).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { pipeline, type Readable } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { keepAliveAgents } from './agents.ts'
import type { Deadline } from './deadline.ts'

/** An upstream answer: what the callers of fetch read from a Response, over a Node stream. */
export interface UpstreamResponse {
  status: number
  ok: boolean
  headers: { get(name: string): string | null }
  /** The body, decompressed when the upstream compressed it although asked not to (as fetch would). */
  body: Readable
}

/** What one request sends. */
export interface UpstreamRequestInit {
  method?: string
  headers: Record<string, string>
  body?: string
}

const agents = keepAliveAgents()

/** Sends one request; rejects with the transport error (as fetch's `cause`) or the deadline's stop. */
export function sendUpstreamRequest(
  url: URL,
  init: UpstreamRequestInit,
  deadline: Deadline,
): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:'
    const send = secure ? httpsRequest : httpRequest
    const headers =
      init.body === undefined
        ? init.headers
        : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) }
    const request = send(
      url,
      { method: init.method ?? 'GET', headers, agent: secure ? agents.https : agents.http },
      (response) => resolve(answerOf(response)),
    )
    // fetch reports a transport failure as a TypeError whose cause is the socket's error: keep that shape, so
    // reasons (`ECONNREFUSED`) and outcomes (`network`) read the same as before.
    request.once('error', (error) =>
      reject(deadline.stopped ? error : new TypeError('fetch failed', { cause: error })),
    )
    deadline.destroys(request)
    request.end(init.body)
  })
}

function answerOf(response: IncomingMessage): UpstreamResponse {
  const status = response.statusCode ?? 0
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: {
      get(name) {
        const value = response.headers[name.toLowerCase()]
        return value === undefined ? null : [value].flat().join(', ')
      },
    },
    body: decoded(response),
  }
}

/** The body through a decompressor for a gzip, deflate or br encoding; any other is passed on as it came. */
function decoded(response: IncomingMessage): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase()
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined
  if (!decoder) return response
  // An error or an early stop on either side ends both (the socket is then not reused).
  return pipeline(response, decoder, () => {})
}
