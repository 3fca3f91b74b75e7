// Turns one measured window (client timings, emulator jobs and counters, probe samples) into a table row.
import type { EmulatorJobView } from '../emulator/jobs/record.ts'
import type { RequestResult } from './load.ts'
import type { ProbeSample } from './probe-sample.ts'
import type { Metric, Scenario } from './scenarios.ts'
import { percentile } from './stats.ts'

const MiB = 1024 * 1024

/** The figures of one (scenario, server) run; times in ms, NaN where nothing was measured. */
export interface Row extends Record<Metric, number> {
  scenario: string
  server: string
  /** The Node.js version the server ran on, as its probe reported it. */
  node: string
  images: number
  /** Answers other than 200 in the window (refusals, errors, client-side failures). */
  failures: number
  /** Why the first of them failed (status and the start of its body), for the progress line and results.json. */
  firstFailure?: string
  /** Every failure counted by kind (`502 UPSTREAM_ERROR ECONNRESET: 12`), most frequent first. */
  failureKinds?: string[]
  windowMs: number
  latencyP50Ms: number
  latencyP99Ms: number
  overheadP99Ms: number
  lagP99Ms: number
  idleRssMiB: number
  peakRssMiB: number
  /** V8's heap and the memory outside it (Buffers) at the RSS peak, idle and in the window: where it grew. */
  idleHeapMiB: number
  idleExternalMiB: number
  peakHeapMiB: number
  peakExternalMiB: number
  /** Images answered per second relative to the baseline's row of the same scenario, when there is one. */
  vsBaseline?: number
}

/** What one window left behind. */
export interface WindowData {
  scenario: Scenario
  server: string
  results: RequestResult[]
  windowMs: number
  jobs: EmulatorJobView[]
  statusRequests: number
  idle: ProbeSample
  sample: ProbeSample
  /** The server process's CPU time (user + system, all threads) spent inside the window. */
  cpuMs: number
}

/** Summarises a window: overhead and lag come from the emulator's own record of each request's job. */
export function summarise(data: WindowData): Row {
  const ok = data.results.filter((r) => r.status === 200)
  const jobByPrompt = new Map(data.jobs.map((job) => [job.prompt, job]))
  const latencies = ok.map((r) => r.endMs - r.startMs)
  const overheads: number[] = []
  const lags: number[] = []
  for (const r of ok) {
    const job = jobByPrompt.get(r.prompt)
    if (job?.finishedAt == null) continue
    overheads.push(r.endMs - r.startMs - (job.finishedAt - job.submittedAt))
    if (job.firstReportedFinalAt != null) lags.push(job.firstReportedFinalAt - job.finishedAt)
  }
  const peakRssMiB = data.sample.peakRssBytes / MiB
  const idleRssMiB = data.idle.rssBytes / MiB
  return {
    scenario: data.scenario.id,
    server: data.server,
    node: data.sample.nodeVersion,
    images: ok.length,
    failures: data.results.length - ok.length,
    ...failureOf(data.results),
    windowMs: data.windowMs,
    imagesPerS: ok.length / (data.windowMs / 1000),
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    overheadP50Ms: percentile(overheads, 50),
    overheadP99Ms: percentile(overheads, 99),
    lagP50Ms: percentile(lags, 50),
    lagP99Ms: percentile(lags, 99),
    statusPerImage: ok.length > 0 ? data.statusRequests / ok.length : Number.NaN,
    idleRssMiB,
    peakRssMiB,
    idleHeapMiB: data.idle.peakHeapBytes / MiB,
    idleExternalMiB: data.idle.peakExternalBytes / MiB,
    peakHeapMiB: data.sample.peakHeapBytes / MiB,
    peakExternalMiB: data.sample.peakExternalBytes / MiB,
    rssGrowthMiB: peakRssMiB - idleRssMiB,
    loopP99Ms: data.sample.eventLoopP99Ms,
    cpuPerImageMs: ok.length > 0 ? data.cpuMs / ok.length : Number.NaN,
  }
}

function failureOf(results: RequestResult[]): { firstFailure?: string; failureKinds?: string[] } {
  const failed = results.filter((r) => r.status !== 200)
  const first = failed[0]
  if (!first) return {}
  const kinds = new Map<string, number>()
  for (const result of failed) {
    const kind = failureKind(result)
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  }
  return {
    firstFailure: `${first.status} ${first.error ?? ''}`.trim(),
    failureKinds: [...kinds].sort((a, b) => b[1] - a[1]).map(([kind, count]) => `${kind}: ${count}`),
  }
}

/** A failure's status, plus the gateway's error code and transport reason when its body says them. */
export function failureKind(result: RequestResult): string {
  try {
    const body = JSON.parse(result.error ?? '') as { code?: unknown; details?: { reason?: unknown } }
    return [result.status, body.code, body.details?.reason]
      .filter((part) => typeof part === 'number' || typeof part === 'string')
      .join(' ')
  } catch {
    // Not the gateway's JSON (a client-side error, a cut-off body): its start tells the kind.
    return `${result.status} ${(result.error ?? '').slice(0, 60)}`.trim()
  }
}
