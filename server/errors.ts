/** GatewayError: the one error type of the gateway; REST bodies and tRPC error data both derive from it. */
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@akashgen/contract'
import { z } from 'zod'

/** Options of a GatewayError beyond its code and message. */
export interface GatewayErrorOptions {
  /** Facts a caller can act on (field errors, the upstream's reason, a limit); never secrets. */
  details?: unknown
  cause?: unknown
  /** Seconds the caller should wait before retrying (sent as `Retry-After`). */
  retryAfterS?: number
}

/** An error with a stable code, its HTTP status and whether a retry may succeed. */
export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly details: unknown
  readonly retryAfterS: number | undefined

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'GatewayError'
    this.code = code
    this.details = options.details
    this.retryAfterS = options.retryAfterS
  }

  get status(): number {
    return ERROR_CODES[this.code].status
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable
  }

  /** The body a REST caller sees. 5xx INTERNAL messages are hidden: the full error is only logged. */
  toBody(requestId?: string): ErrorBody {
    const hidden = this.code === 'INTERNAL'
    return {
      error: hidden ? 'Internal server error' : this.message,
      ...(this.details === undefined || hidden ? {} : { details: this.details }),
      code: this.code,
      retryable: this.retryable,
      ...(requestId ? { requestId } : {}),
    }
  }
}

/** Wraps anything thrown into a GatewayError; unknown errors become INTERNAL with the original as cause. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error
  return new GatewayError('INTERNAL', error instanceof Error ? error.message : String(error), {
    cause: error,
  })
}

/** INVALID_REQUEST from a failed contract check: the message lists every problem, `details` has them per field. */
export function invalidRequest(error: z.ZodError): GatewayError {
  const { formErrors, fieldErrors } = z.flattenError(error)
  const problems = [...formErrors, ...Object.values(fieldErrors).flat()] as string[]
  return new GatewayError('INVALID_REQUEST', `invalid request: ${problems.join('; ')}`, {
    details: { formErrors, fieldErrors },
    cause: error,
  })
}
