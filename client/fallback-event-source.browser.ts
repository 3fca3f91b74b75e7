/** The browser build's stand-in for fallback-event-source.ts: browsers have EventSource, so no polyfill ships. */
import type { EventSource } from 'eventsource'

/** None: a browser's own EventSource is always there. */
export function fallbackEventSource(): typeof EventSource | undefined {
  return undefined
}
