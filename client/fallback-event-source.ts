/** The EventSource class used where the runtime has none (Node 20): the `eventsource` package's. */
import { EventSource } from 'eventsource'

/** The `eventsource` package's class; the browser build swaps this module for one without it. */
export function fallbackEventSource(): typeof EventSource | undefined {
  return EventSource
}
