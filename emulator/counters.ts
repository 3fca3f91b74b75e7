// What the emulator has seen, as one live object that tests read and reset.

/** One request the emulator answered: method, path with query, and status (0 until it is answered). */
export interface RequestLogEntry {
  method: string
  url: string
  status: number
}

/** How many requests the log keeps: the newest, so a long benchmark does not grow it without bound. */
const REQUEST_LOG_ENTRIES = 1000

/** Live counters; `submissions`, `statusRequests` and the fetch counts include rejected and faulted requests. */
export interface EmulatorCounters {
  submissions: number
  /** Prompts of the jobs actually created, in order. */
  submittedPrompts: string[]
  statusRequests: number
  statusIdsAsked: number
  imageFetches: number
  nextImageFetches: number
  /** Image answers (direct and /_next/image) being sent right now, and their peak. */
  imageAnswersOpen: number
  maxImageAnswersOpen: number
  inFlight: number
  maxInFlight: number
  completed: number
  failed: number
  requestsByPath: Record<string, number>
  /** The newest REQUEST_LOG_ENTRIES requests, oldest first (control requests left out). */
  requestLog: RequestLogEntry[]
}

/** Fresh counters, all zero. */
export function createCounters(): EmulatorCounters {
  return {
    submissions: 0,
    submittedPrompts: [],
    statusRequests: 0,
    statusIdsAsked: 0,
    imageFetches: 0,
    nextImageFetches: 0,
    imageAnswersOpen: 0,
    maxImageAnswersOpen: 0,
    inFlight: 0,
    maxInFlight: 0,
    completed: 0,
    failed: 0,
    requestsByPath: {},
    requestLog: [],
  }
}

/** Zeroes the counters in place (so references stay live); inFlight keeps the jobs still running. */
export function resetCounters(counters: EmulatorCounters): void {
  const { inFlight, imageAnswersOpen } = counters
  Object.assign(counters, createCounters(), {
    inFlight,
    maxInFlight: inFlight,
    imageAnswersOpen,
    maxImageAnswersOpen: imageAnswersOpen,
  })
}

/** Counts an image answer as open until its response closes, keeping the peak. */
export function trackImageAnswer(
  counters: EmulatorCounters,
  res: { once(e: 'close', f: () => void): unknown },
) {
  counters.imageAnswersOpen++
  counters.maxImageAnswersOpen = Math.max(counters.maxImageAnswersOpen, counters.imageAnswersOpen)
  res.once('close', () => {
    counters.imageAnswersOpen--
  })
}

/** Logs a request and fills in its status once it is answered. */
export function logRequest(
  counters: EmulatorCounters,
  req: { method?: string; url?: string },
  res: { statusCode: number; once(e: 'finish', f: () => void): unknown },
) {
  const entry: RequestLogEntry = { method: req.method ?? 'GET', url: req.url ?? '/', status: 0 }
  const log = counters.requestLog
  log.push(entry)
  if (log.length > REQUEST_LOG_ENTRIES) log.splice(0, log.length - REQUEST_LOG_ENTRIES)
  res.once('finish', () => {
    entry.status = res.statusCode
  })
}

/** Moves inFlight by delta and keeps its peak. */
export function trackInFlight(counters: EmulatorCounters, delta: number): void {
  counters.inFlight += delta
  counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight)
}
