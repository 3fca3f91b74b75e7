/** Bounded retries of upstream calls: which failures may be repeated, and exponential backoff with full jitter. */
import { setTimeout as sleep } from 'node:timers/promises'
import { GatewayError } from '../errors.ts'
import { outcomeOf, type UpstreamOperation } from './request.ts'

/** Longest pause between two attempts, backoff and Retry-After alike. */
const MAX_RETRY_DELAY_MS = 5_000

/** Transport errors that prove no connection was made: the upstream never saw the request. */
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])
/** Transport errors of a connection lost midway: the request may or may not have reached the upstream. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])

/** How many times a call is repeated after its first attempt, and the backoff's first step. */
export interface RetryPolicy {
  retries: number
  baseMs: number
  /** For tests: a number in [0, 1). */
  random?: () => number
}

/** Whether a failed attempt may be repeated, and the least pause the upstream asked for (Retry-After). */
export type RetryDecision = { retry: false } | { retry: true; afterMs: number }

const NO = { retry: false } as const

/** The transport error code under a GatewayError made by request.ts (`ECONNREFUSED`, `UND_ERR_SOCKET`...). */
function transportCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && !(current instanceof GatewayError)) return code
    current = current.cause
  }
  return undefined
}

const httpStatus = (error: unknown) =>
  error instanceof GatewayError ? (error.details as { status?: unknown } | undefined)?.status : undefined

const retryAfterMs = (error: unknown) =>
  Math.min(MAX_RETRY_DELAY_MS, ((error as GatewayError).retryAfterS ?? 0) * 1000)

/**
 * Submits are repeated only when the upstream provably did not take the job: it said so (429, 503) or no
 * connection was ever made. A timeout, a lost connection, a 502/504 (a proxy may have passed it on), a 500 or a
 * bad answer leave the outcome unknown: a repeat could make the job twice.
 */
export function submitRetry(error: unknown, signal?: AbortSignal): RetryDecision {
  if (outcomeOf(error, signal) === 'cancelled') return NO
  const status = httpStatus(error)
  if (status === 429 || status === 503) return { retry: true, afterMs: retryAfterMs(error) }
  const code = transportCode(error)
  return code && NEVER_CONNECTED.has(code) ? { retry: true, afterMs: 0 } : NO
}

/**
 * Status requests are repeated inside one call only for connection-level failures (refused, reset, DNS): every
 * HTTP answer and every timeout is left to the poller, which backs off on its own schedule within the status
 * rate cap, so the two mechanisms never multiply.
 */
export function statusRetry(error: unknown, signal?: AbortSignal): RetryDecision {
  if (outcomeOf(error, signal) !== 'network') return NO
  const code = transportCode(error)
  return code && (NEVER_CONNECTED.has(code) || CONNECTION_LOST.has(code)) ? { retry: true, afterMs: 0 } : NO
}

/** The decision rule of each retried operation. */
export const RETRY_RULES: Partial<
  Record<UpstreamOperation, (error: unknown, signal?: AbortSignal) => RetryDecision>
> = {
  submit: submitRetry,
  status: statusRetry,
}

/** What `withRetries` needs besides the call. */
export interface RetryContext {
  policy: RetryPolicy
  decide: (error: unknown, signal?: AbortSignal) => RetryDecision
  signal?: AbortSignal
  /** Epoch ms after which no attempt starts (the job's deadline): a pause that would cross it gives up. */
  deadlineAt?: number
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void
}

/**
 * Runs `attempt` and repeats it while `decide` allows, at most `policy.retries` times, pausing a random time in
 * [0, min(5 s, base * 2^n)) (full jitter), or longer when the upstream asked for it. Throws the last failure,
 * or the signal's reason when the signal aborts during a pause.
 */
export async function withRetries<T>(attempt: () => Promise<T>, context: RetryContext): Promise<T> {
  const { policy, decide, signal, deadlineAt, onRetry } = context
  const random = policy.random ?? Math.random
  for (let tried = 0; ; tried++) {
    try {
      return await attempt()
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      const decision = tried < policy.retries ? decide(error, signal) : NO
      if (!decision.retry) throw error
      const ceiling = Math.min(MAX_RETRY_DELAY_MS, policy.baseMs * 2 ** tried)
      const delayMs = Math.round(Math.max(random() * ceiling, decision.afterMs))
      if (deadlineAt !== undefined && Date.now() + delayMs >= deadlineAt) throw error
      onRetry?.(tried + 1, delayMs, error)
      await pause(delayMs, signal)
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason (not Node's AbortError) as soon as it aborts. */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal })
  } catch (error) {
    throw signal?.aborted ? signal.reason : error
  }
}
