// What the emulator has seen, as one live object that tests read and reset.

/** Live counters; `submissions`, `statusRequests` and the fetch counts include rejected and faulted requests. */
export interface EmulatorCounters {
  submissions: number
  /** Prompts of the jobs actually created, in order. */
  submittedPrompts: string[]
  statusRequests: number
  statusIdsAsked: number
  imageFetches: number
  nextImageFetches: number
  inFlight: number
  maxInFlight: number
  completed: number
  failed: number
  requestsByPath: Record<string, number>
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
    inFlight: 0,
    maxInFlight: 0,
    completed: 0,
    failed: 0,
    requestsByPath: {},
  }
}

/** Zeroes the counters in place (so references stay live); inFlight keeps the jobs still running. */
export function resetCounters(counters: EmulatorCounters): void {
  const inFlight = counters.inFlight
  Object.assign(counters, createCounters(), { inFlight, maxInFlight: inFlight })
}

/** Moves inFlight by delta and keeps its peak. */
export function trackInFlight(counters: EmulatorCounters, delta: number): void {
  counters.inFlight += delta
  counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight)
}
