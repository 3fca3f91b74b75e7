/** One delivery attempt: a signed POST to the checked address only, no redirects, a deadline, a capped answer. */
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { linkSignals } from '../abort-link.ts'
import type { Destination, Destinations } from './destination.ts'
import type { DeliveryTask } from './queue.ts'
import type { DeliveryRecord } from './record.ts'
import { signatureHeaders } from './signature.ts'

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
function postWebhook(
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

/** One attempt's outcome as the record keeps it; `retry` is false when no later attempt could do better. */
export type Outcome = Pick<DeliveryRecord, 'lastStatusCode' | 'lastError'> & { ok: boolean; retry: boolean }

/** What an attempt needs: the destination check, the signing key, its deadline, and the gateway's stop. */
export interface AttemptDeps {
  destinations: Destinations
  key: Buffer
  timeoutMs: number
  stop: AbortSignal
}

/** Checks the destination again (its DNS may have changed) and makes one signed POST within the deadline. */
export async function sendAttempt(task: DeliveryTask, deps: AttemptDeps): Promise<Outcome> {
  let destination: Destination
  try {
    destination = await deps.destinations.resolve(task.url)
  } catch (error) {
    // Refused now: no retry would be let through either.
    return { ok: false, retry: false, lastError: (error as Error).message }
  }
  const headers = {
    ...signatureHeaders(deps.key, task.messageId, Math.floor(Date.now() / 1000), task.body),
    'user-agent': 'akashgen-webhooks',
  }
  const deadline = AbortSignal.timeout(deps.timeoutMs)
  // Not AbortSignal.any: it would leave a reference on the process-long `stop` per attempt (abort-link.ts).
  const linked = linkSignals(deadline, deps.stop)
  try {
    const status = await postWebhook(destination, headers, task.body, linked.signal)
    return { ok: status >= 200 && status < 300, retry: true, lastStatusCode: status }
  } catch (error) {
    const reason = deadline.aborted
      ? `no answer within ${deps.timeoutMs} ms`
      : ((error as NodeJS.ErrnoException).code ?? (error as Error).message)
    return { ok: false, retry: true, lastError: reason }
  } finally {
    linked.unlink()
  }
}
