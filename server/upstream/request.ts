/** One HTTP request to the upstream under its own timeout, with failures turned into GatewayErrors. */
import { IncomingMessage } from 'node:http'
import { finished, Readable } from 'node:stream'
import { GatewayError } from '../errors.ts'
import { startDeadline } from './deadline.ts'
import { sendUpstreamRequest, type UpstreamRequestInit, type UpstreamResponse } from './http-request.ts'
import { failureReason, MAX_UPSTREAM_ERROR_BODY_BYTES, MAX_UPSTREAM_JSON_BYTES } from './limits.ts'

/** What the request is for, used in error messages ("upstream submit timed out after 30000 ms"). */
export type UpstreamOperation = 'submit' | 'status' | 'image'

/**
 * Sends `init` to `url`, aborting after `timeoutMs` or when `signal` aborts. A caller abort rethrows the
 * signal's reason (so the job's own cancel or deadline error surfaces); a timeout is UPSTREAM_TIMEOUT; a
 * network failure is UPSTREAM_ERROR.
 */
export async function upstreamFetch(
  operation: UpstreamOperation,
  url: URL,
  init: UpstreamRequestInit,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<UpstreamResponse> {
  const deadline = startDeadline(timeoutMs, signal)
  try {
    // Redirects are not followed (a 3xx is an answer like any other not-2xx one).
    const response = await sendUpstreamRequest(url, init, deadline)
    // The deadline covers the body too: it ends when the body has been read or dropped.
    response.body.once('close', deadline.clear)
    return response
  } catch (error) {
    deadline.clear()
    throw describeFailure(operation, error, timeoutMs, signal, deadline.timeout)
  }
}

/** Turns a failed fetch or body read into the right GatewayError. */
export function describeFailure(
  operation: UpstreamOperation,
  error: unknown,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  timeout: { readonly aborted: boolean },
): unknown {
  if (signal?.aborted) return signal.reason
  if (error instanceof GatewayError) return error
  if (timeout.aborted) {
    return new GatewayError('UPSTREAM_TIMEOUT', `upstream ${operation} timed out after ${timeoutMs} ms`, {
      cause: error,
      details: { operation, timeoutMs },
    })
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))
  return new GatewayError('UPSTREAM_ERROR', `upstream ${operation} failed: ${reason}`, {
    cause: error,
    details: { operation, reason },
  })
}

/** Headers of every JSON request: no compression asked for, so a body's size on the wire is its size. */
export const JSON_HEADERS = { accept: 'application/json', 'accept-encoding': 'identity' } as const

/** UPSTREAM_ERROR for a JSON answer over MAX_UPSTREAM_JSON_BYTES (after decompression). */
const answerTooLarge = (operation: UpstreamOperation, maxBytes: number) =>
  new GatewayError(
    'UPSTREAM_ERROR',
    `upstream ${operation} answer is larger than the ${maxBytes}-byte limit`,
    {
      details: { operation, maxBytes },
    },
  )

/** What readJson and badStatus read: an UpstreamResponse, or a web Response (the parsers' tests build those). */
type Answer = Pick<UpstreamResponse, 'status'> & {
  headers: { get(name: string): string | null }
  body: AsyncIterable<Uint8Array> | null
}

/**
 * Reads at most `maxBytes` of a body and stops reading the rest (`complete` is false then; leaving the loop
 * destroys a Node stream and cancels a web one). Bodies arrive decompressed (http-request.ts, or fetch), so
 * the count is of decompressed bytes and a gzip bomb stops at the cap.
 */
async function readCapped(response: Answer, maxBytes: number): Promise<{ bytes: Buffer; complete: boolean }> {
  if (!response.body) return { bytes: Buffer.alloc(0), complete: true }
  if (response.body instanceof Readable) return readStreamCapped(response.body, maxBytes)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const value of response.body) {
    const room = maxBytes - total
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room))
      return { bytes: Buffer.concat(chunks, maxBytes), complete: false }
    }
    chunks.push(value)
    total += value.byteLength
  }
  return { bytes: Buffer.concat(chunks, total), complete: true }
}

/**
 * readCapped for a Node stream (every upstream answer): events rather than `for await`, whose iterator costs a
 * promise per chunk and per wait on each of the two or three JSON answers per image. Stopping at the cap
 * destroys the stream, as leaving a `for await` loop does.
 */
function readStreamCapped(body: Readable, maxBytes: number): Promise<{ bytes: Buffer; complete: boolean }> {
  // An answer Node's parser already holds whole (a small JSON one usually does by now) is taken in one read,
  // without listeners or an end-of-stream watch; the emptied stream then ends and frees its socket.
  if (
    body instanceof IncomingMessage &&
    body.complete &&
    !body.destroyed &&
    body.readableFlowing === null &&
    body.readableLength <= maxBytes
  ) {
    const bytes = (body.read() as Buffer | null) ?? Buffer.alloc(0)
    return Promise.resolve({ bytes, complete: true })
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    let settled = false
    const onData = (chunk: Buffer) => {
      const room = maxBytes - total
      if (chunk.byteLength <= room) {
        chunks.push(chunk)
        total += chunk.byteLength
        return
      }
      chunks.push(chunk.subarray(0, room))
      settled = true
      body.off('data', onData)
      body.destroy()
      resolve({ bytes: Buffer.concat(chunks, maxBytes), complete: false })
    }
    body.on('data', onData)
    // Only the reading side: a decompressor's writing side is the pipeline's business.
    finished(body, { writable: false }, (error) => {
      if (settled) return
      settled = true
      if (error) reject(error)
      else resolve({ bytes: Buffer.concat(chunks, total), complete: true })
    })
  })
}

/** Reads a JSON body under MAX_UPSTREAM_JSON_BYTES; a body that is not JSON, or too large, is UPSTREAM_ERROR. */
export async function readJson(
  operation: UpstreamOperation,
  response: Answer,
  maxBytes = MAX_UPSTREAM_JSON_BYTES,
): Promise<unknown> {
  const { bytes, complete } = await readCapped(response, maxBytes)
  if (!complete) throw answerTooLarge(operation, maxBytes)
  const body = bytes.toString('utf8')
  try {
    return JSON.parse(body)
  } catch (error) {
    throw new GatewayError('UPSTREAM_ERROR', `upstream ${operation} answered malformed JSON`, {
      cause: error,
      details: { operation, status: response.status, body: failureReason(body.slice(0, 200)) },
    })
  }
}

/** A non-2xx answer as UPSTREAM_ERROR carrying the upstream's status and its `error` text when any. */
export function statusError(
  operation: UpstreamOperation,
  status: number,
  body: string,
  retryAfterHeader: string | null | undefined,
): GatewayError {
  let reason = body
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown }
    reason = String(parsed.error ?? parsed.message ?? reason)
  } catch {
    // Not JSON: the body's own text is the reason.
  }
  reason = failureReason(reason)
  const retryAfter = retryAfterSeconds(retryAfterHeader)
  return new GatewayError('UPSTREAM_ERROR', `upstream ${operation} answered HTTP ${status}`, {
    details: { operation, status, reason },
    ...(retryAfter === undefined ? {} : { retryAfterS: retryAfter }),
  })
}

/** Longest upstream Retry-After passed on to callers, in seconds. */
const MAX_RETRY_AFTER_S = 3600

/**
 * An upstream `Retry-After` as whole seconds from 1 to MAX_RETRY_AFTER_S, or undefined. Only the delay-seconds
 * form counts: `0.5` or `1e300` would otherwise reach callers as `Retry-After: 1e+300`.
 */
function retryAfterSeconds(header: string | null | undefined): number | undefined {
  const seconds = Number(/^\s*(\d{1,10})\s*$/.exec(header ?? '')?.[1] ?? 0)
  return seconds > 0 ? Math.min(MAX_RETRY_AFTER_S, seconds) : undefined
}

/** statusError for an answer, reading at most MAX_UPSTREAM_ERROR_BODY_BYTES of its body. */
export async function badStatus(operation: UpstreamOperation, response: Answer): Promise<GatewayError> {
  // A body lost midway only costs the reason's text: the status is the error reported.
  const read = await readCapped(response, MAX_UPSTREAM_ERROR_BODY_BYTES).catch(() => undefined)
  const body = read?.bytes.toString('utf8') ?? ''
  return statusError(operation, response.status, body, response.headers.get('retry-after'))
}

/** How one upstream call ended, for metrics and the circuit breaker (`circuit_open`: refused, never sent). */
export type UpstreamOutcome =
  | 'ok'
  | 'http_3xx'
  | 'http_4xx'
  | 'http_5xx'
  | 'timeout'
  | 'network'
  | 'malformed'
  | 'cancelled'
  | 'circuit_open'

/**
 * Classifies what an upstream call threw, from the errors this folder makes: our own signal aborting is
 * `cancelled`; an HTTP answer not 2xx carries its status; a failed fetch or socket keeps the transport error
 * as its cause (`network`); everything else the upstream answered but we could not use (`malformed`).
 */
export function outcomeOf(error: unknown, signal?: AbortSignal): UpstreamOutcome {
  if (signal?.aborted) return 'cancelled'
  if (!(error instanceof GatewayError)) return 'network'
  if (error.code === 'UPSTREAM_TIMEOUT') return 'timeout'
  if (error.code === 'UPSTREAM_UNAVAILABLE') return 'circuit_open'
  const status = (error.details as { status?: unknown } | undefined)?.status
  if (typeof status === 'number' && status >= 300)
    return status >= 500 ? 'http_5xx' : status >= 400 ? 'http_4xx' : 'http_3xx'
  const transport = error.cause instanceof Error && !(error.cause instanceof SyntaxError)
  return transport ? 'network' : 'malformed'
}
