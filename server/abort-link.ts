/**
 * Abort signals that follow other signals without leaking. Node 20's `AbortSignal.any()` leaves a reference on
 * each source for as long as that source lives, so combining a process-long signal (the shutdown grace, the
 * poller's closing signal) per request grows the heap by every request (about 60 bytes each, measured).
 */

/** A signal that aborts when any source does, with that source's reason; `unlink()` lets go of the sources. */
export interface LinkedSignal {
  signal: AbortSignal
  unlink(): void
}

/** Follows `sources` until `unlink()` is called; call it (in a `finally`) once the signal is no longer needed. */
export function linkSignals(...sources: AbortSignal[]): LinkedSignal {
  const controller = new AbortController()
  const listeners: [AbortSignal, () => void][] = []
  const unlink = () => {
    for (const [source, listener] of listeners.splice(0)) source.removeEventListener('abort', listener)
  }
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason)
      break
    }
    const listener = () => {
      controller.abort(source.reason)
      unlink()
    }
    source.addEventListener('abort', listener, { once: true })
    listeners.push([source, listener])
  }
  if (controller.signal.aborted) unlink()
  return { signal: controller.signal, unlink }
}
