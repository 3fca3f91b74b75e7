// Where the gateway's CPU goes under (b)'s load: Linux `perf` samples the server (with --perf-basic-prof, so JS
// frames have names) for a window, and the samples are split by thread, by kind of work and by part of the gateway.
import { execFileSync, spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { imagesSince, startBLoad } from './b-load.ts'
import { closeLoadSockets } from './load.ts'
import { kindOf, parsePerfScript, partOf, type Sample, sourceMapper } from './perf-samples.ts'
import { stopAll } from './processes.ts'

/** Usage: `npx tsx bench/perf-split.ts [from s] [window s] [entry]` (defaults 35, 15, dist/server.mjs). */
const [fromS = 35, windowS = 15] = process.argv.slice(2, 4).map(Number)
const entry = process.argv[4] ?? 'dist/server.mjs'
const HZ = 999

async function main(): Promise<void> {
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore' })
  } catch {
    throw new Error('needs Linux perf on the PATH (Debian: apt-get install linux-perf)')
  }
  const { pid, load } = await startBLoad(entry, { nodeArgs: ['--perf-basic-prof'] })
  const data = join(tmpdir(), `perf-split-${process.pid}.data`)
  try {
    await sleep(fromS * 1000)
    const delivered = load.results.length
    const perf = spawn(
      'perf',
      ['record', '-F', String(HZ), '-g', '-p', String(pid), '-o', data, '--', 'sleep', String(windowS)],
      {
        stdio: 'ignore',
      },
    )
    await new Promise((resolve) => perf.once('exit', resolve))
    const images = imagesSince(load, delivered)
    await load.stop()
    const script = execFileSync('perf', ['script', '-i', data, '-F', 'tid,ip,sym,dso'], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    report(parsePerfScript(script), String(pid), images)
  } finally {
    closeLoadSockets()
    await stopAll()
    await rm(data, { force: true })
    await rm(`/tmp/perf-${pid}.map`, { force: true })
  }
}

function report(samples: Sample[], mainTid: string, images: number): void {
  const msPerImage = (count: number) => ((count * 1000) / HZ / images).toFixed(3).padStart(8)
  const table = (title: string, counts: Map<string, number>) => {
    console.log(`\n${title}`)
    for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1]))
      console.log(`${msPerImage(count)}  ${key}`)
  }
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)
  const threads = new Map<string, number>()
  const kinds = new Map<string, number>()
  const parts = new Map<string, number>()
  const sourceOf = sourceMapper()
  for (const sample of samples) {
    const main = sample.tid === mainTid
    count(threads, main ? 'main thread' : "V8's and libuv's threads")
    count(kinds, `${main ? 'main' : 'other'}: ${kindOf(sample.frames[0] as (typeof sample.frames)[0])}`)
    if (main) count(parts, partOf(sample, sourceOf))
  }
  console.log(
    `perf-split: ${windowS} s from ${fromS} s into (b)'s load, ${images} images, ${samples.length} samples at ${HZ} Hz; CPU ms per image`,
  )
  table('by thread', threads)
  table('by kind of work (the sampled frame)', kinds)
  table('main thread, by part of the gateway (the innermost frame that says)', parts)
}

main()
  .catch((error: unknown) => {
    console.error(`perf-split: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
  .finally(stopAll)
