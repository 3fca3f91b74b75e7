// Preloaded into a measured server (`node --import ./bench/probe.mjs`): samples RSS and event-loop delay to a file.
// Plain JavaScript, so the server runs as `npm start` runs it: without a TypeScript loader.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Wait after a forced collection before RSS is read: V8 unmaps freed pages off the main thread. */
const RELEASE_MS = 100

/** Period of the event-loop timer, in milliseconds. */
const RESOLUTION_MS = 10

/**
 * A full garbage collection, without `--expose-gc` on the server's command line (which is `npm start`'s): the
 * flag is set at run time and `gc` read from a fresh context, where V8 installs it.
 */
function collectGarbage() {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc')
  // Twice: the first pass runs the finalizers that free Buffers' memory, the second collects what they held.
  gc()
  gc()
}

/**
 * What the bench asked of the next reset ('collect' or 'reset'); 'reset' when it wrote nothing.
 * @param {string} path
 */
function readRequest(path) {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return 'reset'
  }
}

/**
 * Starts probing when BENCH_PROBE_FILE is set; every timer is unref'd so the process exits as it would alone.
 * @param {string} file
 */
export function startProbe(file) {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  // The histogram records whole timer intervals (an idle loop reads the resolution itself); the delay is
  // what exceeds the interval, as @fastify/under-pressure computes it.
  const lateMs = (/** @type {number} */ nanoseconds) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS)
  delay.enable()
  let peak = 0
  let peakHeap = 0
  let peakExternal = 0
  let resets = 0
  // Where the peak's memory was: read (a walk of the heap's spaces) only when the peak rises.
  const sample = () => {
    const rss = process.memoryUsage.rss()
    if (rss <= peak) return rss
    const { heapTotal, external } = process.memoryUsage()
    peak = rss
    peakHeap = heapTotal
    peakExternal = external
    return rss
  }
  sample()
  // RSS is sampled more often than the file is written, so short peaks (a burst of big images) are seen.
  setInterval(sample, 50).unref()
  const write = () => {
    const rss = sample()
    /** @type {import('./probe-sample.ts').ProbeSample} */
    const written = {
      pid: process.pid,
      nodeVersion: process.version,
      rssBytes: rss,
      peakRssBytes: peak,
      peakHeapBytes: peakHeap,
      peakExternalBytes: peakExternal,
      eventLoopP50Ms: delay.count > 0 ? lateMs(delay.percentile(50)) : 0,
      eventLoopP99Ms: delay.count > 0 ? lateMs(delay.percentile(99)) : 0,
      eventLoopMaxMs: delay.count > 0 ? lateMs(delay.max) : 0,
      resets,
      at: Date.now(),
    }
    // Write then rename, so a reader never sees half a line.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(written)}\n`)
    renameSync(`${file}.tmp`, file)
  }
  setInterval(write, 250).unref()
  // SIGUSR2 resets the peak and the histogram. The idle reading asks for a collected heap first (`collect` in
  // `<file>.request`): RSS read then does not depend on whether a collection happened to run just before. The
  // window's reset under load does not collect: a forced full collection shrinks V8's young generation, and
  // the window then paid for growing it back (about 0.6 ms of CPU per image in b-steady).
  // V8 hands freed pages back on a background thread: a collected reading waits a moment for it.
  process.on('SIGUSR2', () => {
    const collect = readRequest(`${file}.request`) === 'collect'
    if (collect) collectGarbage()
    setTimeout(
      () => {
        delay.reset()
        peak = 0
        sample()
        resets++
        write()
      },
      collect ? RELEASE_MS : 0,
    )
  })
  write()
}

const target = process.env.BENCH_PROBE_FILE
if (target) startProbe(target)
