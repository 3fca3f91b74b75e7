/** The exit codes of `akashgen`, and which gateway error codes lead to which. */
import type { ErrorCode } from '@akashgen/contract'

/** Every way `akashgen` ends. */
export const EXIT = {
  done: 0,
  badInput: 2,
  failed: 3,
  timedOut: 4,
  interrupted: 130,
} as const

/** The exit code for an error the gateway (or the client package) reported. */
export function exitCodeFor(code: ErrorCode): number {
  if (code === 'INVALID_REQUEST' || code === 'PAYLOAD_TOO_LARGE') return EXIT.badInput
  if (code === 'JOB_TIMEOUT' || code === 'UPSTREAM_TIMEOUT') return EXIT.timedOut
  return EXIT.failed
}
