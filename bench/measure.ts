// Runs one scenario against one server under test: start it fresh, warm up, measure a window, and summarise.
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { EmulatorControl } from './emulator-control.ts'
import { type LoadRun, startClosedLoop } from './load.ts'
import { probeReader } from './probe-reader.ts'
import { cpuTimeMs } from './proc-cpu.ts'
import { startProbedServer } from './processes.ts'
import { type Row, summarise } from './row.ts'
import type { Scenario } from './scenarios.ts'

/** A server the scenarios run against: the gateway or the baseline, by entry file, on a Node.js binary. */
export interface ServerUnderTest {
  name: string
  entry: string
  /** Default: the bench's own Node.js. */
  node?: string
}

const REQUEST_TIMEOUT_MS = 300_000
const PREWARM_REQUESTS = 3
/** Quiet time after the warm-up load before idle RSS is read. */
const IDLE_SETTLE_MS = 1000

/** The environment of a server under test: `slots` upstream slots in front of the emulator at `upstreamUrl`. */
export function serverEnv(slots: number, upstreamUrl: string): Record<string, string> {
  return {
    LOG_LEVEL: 'warn',
    AKASHGEN_UPSTREAM_URL: upstreamUrl,
    AKASHGEN_MAX_CONCURRENT: String(slots),
    AKASHGEN_MAX_QUEUE: '1000',
    // The load generator is one client IP: per-IP rate limiting would measure the limiter, and per-client
    // shares would refuse most of its jobs.
    AKASHGEN_RATE_LIMIT: '0',
    AKASHGEN_MAX_JOBS_PER_CLIENT: '0',
    AKASHGEN_MAX_STREAMS_PER_CLIENT: '0',
  }
}

/** Measures `scenario` on a freshly started `server` in front of the shared emulator; always stops the server. */
export async function measureScenario(
  scenario: Scenario,
  server: ServerUnderTest,
  emulator: { url: string; control: EmulatorControl },
): Promise<Row> {
  const { control } = emulator
  // Lone warm-up jobs are short whatever the scenario, so warming up costs seconds, not minutes.
  await control.configure({
    queueMs: 0,
    workers: 256,
    runMs: 300,
    imagePadBytes: scenario.imagePadBytes,
    elapsedTime: scenario.elapsedTime ?? 'frozen',
  })
  const probeFile = join(tmpdir(), `akashgen-bench-${process.pid}-${scenario.id}-${server.name}.json`)
  const proc = await startProbedServer(
    server.name,
    server.entry,
    {
      ...serverEnv(scenario.slots, emulator.url),
      BENCH_PROBE_FILE: probeFile,
    },
    { node: server.node },
  )
  let load: LoadRun | undefined
  try {
    const probe = probeReader(proc.child, probeFile)
    const promptFor = (phase: string) => (n: number) => `bench ${scenario.id} ${server.name} ${phase} ${n}`
    const base = { url: proc.url, requestTimeoutMs: REQUEST_TIMEOUT_MS }
    const lone = 'requests' in scenario.warmup ? scenario.warmup.requests : PREWARM_REQUESTS
    await startClosedLoop({ ...base, clients: 1, maxRequests: lone, promptFor: promptFor('warm') }).done
    await control.configure({ runMs: scenario.runMs })
    const measured = { ...base, promptFor: promptFor('measured') }
    if ('ms' in scenario.warmup) {
      // One request per slot, all at once and all answered: "idle" is then a server that has served a full
      // load before (its allocator and heap sized for it), not one that just started.
      const burst = startClosedLoop({
        ...base,
        promptFor: promptFor('burst'),
        clients: scenario.slots,
        maxRequests: scenario.slots,
      })
      await burst.done
    }
    await sleep(IDLE_SETTLE_MS)
    // Read after a full collection (the probe runs one on reset): read without one, idle RSS held the burst's
    // garbage or not depending on whether a collection had run by then, which moved (d)'s growth by 40 MiB.
    const idle = await probe.reset({ collect: true })
    if ('ms' in scenario.warmup) {
      load = startClosedLoop({ ...measured, clients: scenario.clients })
      await sleep(scenario.warmup.ms)
    }
    // No collection here: under load it shrank V8's young generation, and the window paid to grow it back.
    await probe.reset({ collect: false })
    await control.reset()
    const startMs = performance.now()
    const cpuStartMs = cpuTimeMs(proc.child.pid)
    if ('requests' in scenario.measure) {
      load = startClosedLoop({ ...measured, clients: 1, maxRequests: scenario.measure.requests })
      await load.done
    } else {
      await sleep(scenario.measure.ms)
    }
    const endMs = performance.now()
    const cpuMs = cpuTimeMs(proc.child.pid) - cpuStartMs
    const counters = await control.counters()
    const sample = await probe.sampleAfter(Date.now())
    const results = load?.results.filter((r) => r.endMs >= startMs && r.endMs <= endMs) ?? []
    await load?.stop()
    return summarise({
      scenario,
      server: server.name,
      results,
      windowMs: endMs - startMs,
      jobs: await control.jobs(),
      statusRequests: counters.statusRequests,
      idle,
      sample,
      cpuMs,
    })
  } finally {
    await load?.stop()
    await proc.stop()
    await rm(probeFile, { force: true })
    await rm(`${probeFile}.request`, { force: true })
  }
}
