/**
 * The signal of one upstream call: the caller's, plus a timeout that is cleared as soon as the call's body is
 * done. `AbortSignal.timeout()` cannot be cleared: each call's timer fired later anyway, building a
 * DOMException and dispatching to every signal combined with it, long after the answer came.
 */
import { linkSignals } from '../abort-link.ts'

/** A running deadline; call `clear()` once the call (its body included) is over. */
export interface Deadline {
  /** Aborts when the caller's signal does or the time is up. */
  signal: AbortSignal
  /** Aborts only when the time is up: tells a timeout from the caller leaving. */
  timeout: AbortSignal
  clear(): void
}

/** Starts a deadline of `timeoutMs` that also follows `caller`. */
export function startDeadline(timeoutMs: number, caller?: AbortSignal): Deadline {
  const timeout = new AbortController()
  const timer = setTimeout(
    () => timeout.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  )
  // Like AbortSignal.timeout(): a pending call's timer alone does not keep the process alive.
  timer.unref()
  if (!caller) return { signal: timeout.signal, timeout: timeout.signal, clear: () => clearTimeout(timer) }
  const linked = linkSignals(caller, timeout.signal)
  return {
    signal: linked.signal,
    timeout: timeout.signal,
    clear() {
      clearTimeout(timer)
      linked.unlink()
    },
  }
}
