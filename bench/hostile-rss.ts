// Peak RSS of a gateway process under two hostile upstreams: a gzip-bomb status answer, and N callers of one
// uncached large image. Loopback only, bounded in count and time; prints one JSON line per run and the medians.
//   npx tsx bench/hostile-rss.ts [bomb|images|both] [runs=3]
import { readFileSync } from 'node:fs'
import { startEmulator } from '../emulator/index.ts'
import { startProbedServer, stopAll } from './processes.ts'

const MiB = 1024 * 1024
const IMAGE_CALLERS = 40
const IMAGE_BYTES = 19 * MiB

/** Peak and current resident memory of a process, in MiB, from /proc. */
function memoryOf(pid: number): { peakMiB: number; rssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { peakMiB: Math.round(kib('VmHWM') / 1024), rssMiB: Math.round(kib('VmRSS') / 1024) }
}

/** A gzip bomb (1 GiB inflated) on every status answer of a 6 s job; the job ends JOB_TIMEOUT either way. */
async function bombRun() {
  const emulator = await startEmulator({ queueMs: 0, runMs: 60_000, imageSize: 64 })
  try {
    const gateway = await startProbedServer('gateway', 'server/server.ts', {
      AKASHGEN_UPSTREAM_URL: emulator.url,
      AKASHGEN_JOB_TIMEOUT_MS: '6000',
      AKASHGEN_STATUS_TIMEOUT_MS: '5000',
      AKASHGEN_POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
    })
    const pid = gateway.child.pid as number
    const before = memoryOf(pid)
    emulator.configure({ faults: { status: { gzipBombBytes: 1024 * MiB } } })
    const response = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a bomb' }),
      signal: AbortSignal.timeout(30_000),
    })
    const answer = (await response.json()) as { code?: string }
    const after = memoryOf(pid)
    return {
      scenario: 'bomb',
      status: response.status,
      code: answer.code,
      statusPolls: emulator.counters.statusRequests,
      rssBeforeMiB: before.rssMiB,
      peakMiB: after.peakMiB,
    }
  } finally {
    await stopAll()
    await emulator.close()
  }
}

/** IMAGE_CALLERS callers at once for one uncached IMAGE_BYTES image. */
async function imagesRun() {
  const emulator = await startEmulator({ queueMs: 0, runMs: 50, imageSize: 64, imagePadBytes: IMAGE_BYTES })
  try {
    const gateway = await startProbedServer('gateway', 'server/server.ts', {
      AKASHGEN_UPSTREAM_URL: emulator.url,
      AKASHGEN_MAX_IMAGE_BYTES: String(64 * MiB),
      LOG_LEVEL: 'warn',
    })
    const pid = gateway.child.pid as number
    const job = (await (
      await fetch(`${gateway.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ prompt: 'a large image' }),
      })
    ).json()) as { jobId: string }
    const before = memoryOf(pid)
    emulator.resetCounters()
    const sizes = await Promise.all(
      Array.from({ length: IMAGE_CALLERS }, async () => {
        const response = await fetch(`${gateway.url}/api/jobs/${job.jobId}/image`)
        return (await response.arrayBuffer()).byteLength
      }),
    )
    const after = memoryOf(pid)
    return {
      scenario: 'images',
      callers: IMAGE_CALLERS,
      allWhole: sizes.every((size) => size === sizes[0] && size >= IMAGE_BYTES),
      upstreamDownloads: emulator.counters.imageFetches + emulator.counters.nextImageFetches,
      rssBeforeMiB: before.rssMiB,
      peakMiB: after.peakMiB,
    }
  } finally {
    await stopAll()
    await emulator.close()
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const which = process.argv[2] ?? 'both'
const runs = Number(process.argv[3] ?? 3)
for (const [name, run] of [
  ['bomb', bombRun],
  ['images', imagesRun],
] as const) {
  if (which !== 'both' && which !== name) continue
  const results: Array<Record<string, unknown>> = []
  for (let i = 0; i < runs; i++) {
    const result = await run()
    console.log(JSON.stringify(result))
    results.push(result)
  }
  const numbers = (key: string) => median(results.map((r) => Number(r[key])))
  console.log(
    JSON.stringify({
      scenario: name,
      runs,
      medianPeakMiB: numbers('peakMiB'),
      medianRssBeforeMiB: numbers('rssBeforeMiB'),
      ...(name === 'images' ? { medianUpstreamDownloads: numbers('upstreamDownloads') } : {}),
    }),
  )
}
