// What bench/probe.mjs writes in a server under test: one sample of its memory and event-loop delay.

/** What the probe writes, one JSON object per file write; `resets` counts the SIGUSR2 signals seen. */
export interface ProbeSample {
  pid: number
  /** `process.version` of the server: which Node.js it really ran on. */
  nodeVersion: string
  rssBytes: number
  peakRssBytes: number
  /** V8's heap (`heapTotal`) and the memory outside it (`external`: Buffers) when the RSS peak was sampled. */
  peakHeapBytes: number
  peakExternalBytes: number
  eventLoopP50Ms: number
  eventLoopP99Ms: number
  eventLoopMaxMs: number
  resets: number
  at: number
}
