/** AkashGenError: what the client package throws, carrying the gateway's stable error code. */

import type { ErrorCode, Job } from '@akashgen/contract'
import { TRPCClientError } from '@trpc/client'

/** An error from the gateway (or from talking to it), with the gateway's code when it gave one. */
export class AkashGenError extends Error {
  readonly code: ErrorCode
  readonly retryable: boolean
  readonly details: unknown
  /** The job as last seen, when the error is a job's final state. */
  readonly job: Job | undefined

  constructor(
    code: ErrorCode,
    message: string,
    extra: { retryable?: boolean; details?: unknown; job?: Job; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause })
    this.name = 'AkashGenError'
    this.code = code
    this.retryable = extra.retryable ?? false
    this.details = extra.details
    this.job = extra.job
  }
}

/** Converts a tRPC client error (or anything thrown) into an AkashGenError. */
export function toAkashGenError(error: unknown): AkashGenError {
  if (error instanceof AkashGenError) return error
  if (error instanceof TRPCClientError) {
    const data = error.data as
      | { errorCode?: ErrorCode; retryable?: boolean; details?: unknown; fieldErrors?: unknown }
      | undefined
    return new AkashGenError(data?.errorCode ?? 'UPSTREAM_ERROR', error.message, {
      retryable: data?.retryable ?? true,
      // Input errors carry their per-field problems in `fieldErrors`: the same shape REST puts in `details`.
      details: data?.details ?? data?.fieldErrors,
      cause: error,
    })
  }
  return new AkashGenError('INTERNAL', error instanceof Error ? error.message : String(error), {
    cause: error,
  })
}
