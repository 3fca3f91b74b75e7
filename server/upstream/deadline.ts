/**
 * The deadline of one upstream call: the caller's signal, plus a timeout that is cleared as soon as the call's
 * body is done. `AbortSignal.timeout()` cannot be cleared: each call's timer fired later anyway, building a
 * DOMException and dispatching to every signal combined with it, long after the answer came. No AbortController
 * per call either: the deadline stops the call itself (`onStop`), so the request takes no `signal` and Node
 * adds no abort listener and end-of-stream watcher to it. Every job makes several calls, and signals were among
 * the largest CPU costs per image (bench (b)).
 */

/** A running deadline; call `clear()` once the call (its body included) is over. */
export interface Deadline {
  /** `aborted` only when the time is up: tells a timeout from the caller leaving. */
  timeout: { readonly aborted: boolean }
  /** Whether the deadline has stopped the call: the time is up or the caller's signal aborted. */
  readonly stopped: boolean
  /** What stops the call, given the reason; run at once when the deadline has already stopped. */
  onStop(stop: (reason: unknown) => void): void
  /**
   * Stops the call by destroying its request (and with it the answer's body, while it is read), with the
   * AbortError Node's own `signal` option would use.
   */
  destroys(request: { destroy(error: Error): unknown }): void
  clear(): void
}

/** Starts a deadline of `timeoutMs` that also follows `caller`. */
export function startDeadline(timeoutMs: number, caller?: AbortSignal): Deadline {
  const timeout = { aborted: false }
  let stopped = false
  let reason: unknown
  let stopCall: ((reason: unknown) => void) | undefined
  let cleared = false
  const clear = () => {
    if (cleared) return
    cleared = true
    clearTimeout(timer)
    caller?.removeEventListener('abort', onCallerAbort)
  }
  const stop = (why: unknown) => {
    if (stopped) return
    stopped = true
    reason = why
    clear()
    stopCall?.(why)
  }
  const onCallerAbort = () => stop(caller?.reason)
  const onStop = (stopIt: (reason: unknown) => void) => {
    stopCall = stopIt
    if (stopped) stopIt(reason)
  }
  const timer = setTimeout(() => {
    timeout.aborted = true
    stop(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'))
  }, timeoutMs)
  // Like AbortSignal.timeout(): a pending call's timer alone does not keep the process alive.
  timer.unref()
  if (caller?.aborted) onCallerAbort()
  else caller?.addEventListener('abort', onCallerAbort, { once: true })
  return {
    timeout,
    get stopped() {
      return stopped
    },
    onStop,
    destroys: (request) => onStop((why) => request.destroy(abortError(why))),
    clear,
  }
}

/** What a stopped request is destroyed with: an AbortError, as Node's own `signal` option would make. */
function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  })
}
