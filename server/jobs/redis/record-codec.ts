/** Job records as JSON for Redis: everything as is, except the error, which becomes a GatewayError again. */
import { DEFAULT_PREFERRED_GPUS, type ErrorCode } from '@akashgen/contract'
import { GatewayError } from '../../errors.ts'
import type { JobRecord } from '../job-record.ts'

interface StoredError {
  code: ErrorCode
  message: string
  details?: unknown
  retryAfterS?: number
}

/** The record as a JSON string. */
export function encodeRecord(job: JobRecord): string {
  return JSON.stringify(job, (key, value) => (key === 'error' && value ? encodeError(value) : value))
}

/** The record from its JSON string. */
export function decodeRecord(json: string): JobRecord {
  const job = JSON.parse(json) as Omit<JobRecord, 'error'> & { error?: StoredError }
  const { error, ...rest } = job
  // A record an older gateway stored has no GPU list: it asked for the default, so that is what it keeps.
  rest.request.preferredGpu ??= [...DEFAULT_PREFERRED_GPUS]
  return error ? { ...rest, error: decodeError(error) } : rest
}

/** A GatewayError as plain JSON (its cause stays in the logs of the replica that had it). */
export function encodeError(error: GatewayError): StoredError {
  return { code: error.code, message: error.message, details: error.details, retryAfterS: error.retryAfterS }
}

/** The GatewayError back from its JSON. */
export function decodeError(stored: StoredError): GatewayError {
  return new GatewayError(stored.code, stored.message, {
    details: stored.details,
    retryAfterS: stored.retryAfterS,
  })
}
