/**
 * The signal of one upstream call: the caller's, plus a timeout that is cleared as soon as the call's body is
 * done. `AbortSignal.timeout()` cannot be cleared: each call's timer fired later anyway, building a
 * DOMException and dispatching to every signal combined with it, long after the answer came. One controller
 * and one listener on the caller per call (not a timeout signal linked to the caller's): every job makes
 * several calls, and signals were among the largest CPU costs per image (bench (b)).
 */

/** A running deadline; call `clear()` once the call (its body included) is over. */
export interface Deadline {
  /** Aborts when the caller's signal does or the time is up. */
  signal: AbortSignal
  /** `aborted` only when the time is up: tells a timeout from the caller leaving. */
  timeout: { readonly aborted: boolean }
  clear(): void
}

/** Starts a deadline of `timeoutMs` that also follows `caller`. */
export function startDeadline(timeoutMs: number, caller?: AbortSignal): Deadline {
  const controller = new AbortController()
  const timeout = { aborted: false }
  const onCallerAbort = () => controller.abort(caller?.reason)
  const timer = setTimeout(() => {
    timeout.aborted = true
    controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'))
    caller?.removeEventListener('abort', onCallerAbort)
  }, timeoutMs)
  // Like AbortSignal.timeout(): a pending call's timer alone does not keep the process alive.
  timer.unref()
  if (caller?.aborted) onCallerAbort()
  else caller?.addEventListener('abort', onCallerAbort, { once: true })
  let cleared = false
  return {
    signal: controller.signal,
    timeout,
    clear() {
      if (cleared) return
      cleared = true
      clearTimeout(timer)
      caller?.removeEventListener('abort', onCallerAbort)
    },
  }
}
