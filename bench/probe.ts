// Preloaded into a measured server (`node --import ./bench/probe.ts`): samples RSS and event-loop delay to a file.
import { renameSync, writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'

/** What the probe writes, one JSON object per file write; `resets` counts the SIGUSR2 signals seen. */
export interface ProbeSample {
  pid: number
  rssBytes: number
  peakRssBytes: number
  eventLoopP50Ms: number
  eventLoopP99Ms: number
  eventLoopMaxMs: number
  resets: number
  at: number
}

/** Period of the event-loop timer, in milliseconds. */
const RESOLUTION_MS = 10

/** Starts probing when BENCH_PROBE_FILE is set; every timer is unref'd so the process exits as it would alone. */
export function startProbe(file: string): void {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  // The histogram records whole timer intervals (an idle loop reads the resolution itself); the delay is
  // what exceeds the interval, as @fastify/under-pressure computes it.
  const lateMs = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS)
  delay.enable()
  let peak = process.memoryUsage.rss()
  let resets = 0
  // RSS is sampled more often than the file is written, so short peaks (a burst of big images) are seen.
  setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 50).unref()
  const write = () => {
    const rss = process.memoryUsage.rss()
    peak = Math.max(peak, rss)
    const sample: ProbeSample = {
      pid: process.pid,
      rssBytes: rss,
      peakRssBytes: peak,
      eventLoopP50Ms: delay.count > 0 ? lateMs(delay.percentile(50)) : 0,
      eventLoopP99Ms: delay.count > 0 ? lateMs(delay.percentile(99)) : 0,
      eventLoopMaxMs: delay.count > 0 ? lateMs(delay.max) : 0,
      resets,
      at: Date.now(),
    }
    // Write then rename, so a reader never sees half a line.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(sample)}\n`)
    renameSync(`${file}.tmp`, file)
  }
  setInterval(write, 250).unref()
  process.on('SIGUSR2', () => {
    delay.reset()
    peak = process.memoryUsage.rss()
    resets++
    write()
  })
  write()
}

const target = process.env.BENCH_PROBE_FILE
if (target) startProbe(target)
