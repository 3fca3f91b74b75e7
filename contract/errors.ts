/** The gateway's error codes: one table, the same meaning on REST, tRPC and every later surface. */
import { z } from 'zod'

/** Each code with its HTTP status and whether retrying the same request later may succeed. */
export const ERROR_CODES = {
  INVALID_REQUEST: { status: 400, retryable: false },
  UNAUTHORIZED: { status: 401, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  IDEMPOTENCY_CONFLICT: { status: 409, retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  RATE_LIMITED: { status: 429, retryable: true },
  QUEUE_FULL: { status: 429, retryable: true },
  CLIENT_LIMIT: { status: 429, retryable: true },
  CANCELLED: { status: 499, retryable: false },
  INTERNAL: { status: 500, retryable: false },
  JOB_FAILED: { status: 502, retryable: false },
  UPSTREAM_ERROR: { status: 502, retryable: true },
  UPSTREAM_UNAVAILABLE: { status: 503, retryable: true },
  STORE_UNAVAILABLE: { status: 503, retryable: true },
  SHUTTING_DOWN: { status: 503, retryable: true },
  UPSTREAM_TIMEOUT: { status: 504, retryable: true },
  JOB_TIMEOUT: { status: 504, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>

/** A stable error code. */
export const ErrorCode = z.enum(
  Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]],
)
export type ErrorCode = z.infer<typeof ErrorCode>

/** The JSON body of every REST error: the Go proxy's `{error, details}` plus our stable `code`. */
export const ErrorBody = z.object({
  error: z.string(),
  details: z.unknown().optional(),
  code: ErrorCode,
  retryable: z.boolean(),
  requestId: z.string().optional(),
})
export type ErrorBody = z.infer<typeof ErrorBody>
