// `npm run bench:replicas`: throughput of the gateway at 200 slots on memory, on Redis with 1 replica, and with 2.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { dropPrefix } from '../server/jobs/redis/drop-prefix.ts'
import { emulatorControl } from './emulator-control.ts'
import { closeLoadSockets, type LoadRun, type RequestResult, startClosedLoop } from './load.ts'
import { type BenchProcess, startEmulatorProcess, startProbedServer, stopAll } from './processes.ts'
import { median, percentile } from './stats.ts'

/** One configuration measured: where jobs live and how many gateway processes share the load. */
interface Setup {
  name: string
  replicas: number
  redis: boolean
}

const SETUPS: Setup[] = [
  { name: 'memory, 1 process', replicas: 1, redis: false },
  { name: 'Redis, 1 replica', replicas: 1, redis: true },
  { name: 'Redis, 2 replicas', replicas: 2, redis: true },
]
const SLOTS = 200
const CLIENTS = 200
const RUN_MS = 300

/** Linux's USER_HZ, the unit of CPU times in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_S = 100

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
  },
})
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const smoke = values.smoke
const rounds = smoke ? 1 : Number(values.rounds)
const warmupMs = smoke ? 500 : 3000
const windowMs = smoke ? 2000 : 10_000
const monitor = new Redis(redisUrl, { lazyConnect: true })

/** Images per second and latency of one window on one setup. */
interface Sample {
  setup: string
  imagesPerS: number
  p50Ms: number
  p99Ms: number
  failures: number
  /** CPU time the gateway processes spent per image delivered, all replicas together. */
  gatewayCpuMsPerImage: number
  /** CPU time redis-server spent per image (NaN on memory). */
  redisCpuMsPerImage: number
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
function cpuMsOf(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  return (ticks * 1000) / CLOCK_TICKS_PER_S
}

/** redis-server's own CPU time so far, in ms. */
async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const seconds = (name: string) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? 0)
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000
}

async function measure(setup: Setup, emulatorUrl: string): Promise<Sample> {
  const prefix = `akashgen-bench-${randomUUID().slice(0, 8)}`
  const env = {
    LOG_LEVEL: 'warn',
    AKASHGEN_UPSTREAM_URL: emulatorUrl,
    AKASHGEN_MAX_CONCURRENT: String(SLOTS),
    AKASHGEN_MAX_QUEUE: '1000',
    // The load generator is one client IP: per-IP rate limiting would measure the limiter, and per-client
    // shares would refuse most of its jobs.
    AKASHGEN_RATE_LIMIT: '0',
    AKASHGEN_MAX_JOBS_PER_CLIENT: '0',
    AKASHGEN_MAX_STREAMS_PER_CLIENT: '0',
    // Far above what 200 slots of 300 ms jobs need: this measures the gateway, not the status budget.
    AKASHGEN_STATUS_RPS: '1000',
    ...(setup.redis ? { REDIS_URL: redisUrl, AKASHGEN_REDIS_PREFIX: prefix } : {}),
  }
  const gateways: BenchProcess[] = []
  for (let i = 0; i < setup.replicas; i++)
    gateways.push(await startProbedServer(`replica ${i}`, 'server/server.ts', env))
  const loops: LoadRun[] = []
  try {
    const perGateway = CLIENTS / gateways.length
    gateways.forEach((gateway, g) => {
      loops.push(
        startClosedLoop({
          url: gateway.url,
          clients: perGateway,
          requestTimeoutMs: 60_000,
          promptFor: (n) => `replicas ${setup.name} ${g} ${n}`,
        }),
      )
    })
    await sleep(warmupMs)
    const gatewayCpu = () => gateways.reduce((sum, gateway) => sum + cpuMsOf(gateway.child.pid), 0)
    const cpuBefore = { gateway: gatewayCpu(), redis: setup.redis ? await redisCpuMs(monitor) : 0 }
    const start = performance.now()
    await sleep(windowMs)
    const end = performance.now()
    const cpuAfter = { gateway: gatewayCpu(), redis: setup.redis ? await redisCpuMs(monitor) : 0 }
    const inWindow = (r: RequestResult) => r.endMs >= start && r.endMs <= end
    const results = loops.flatMap((loop) => loop.results.filter(inWindow))
    const ok = results.filter((r) => r.status === 200)
    const latencies = ok.map((r) => r.endMs - r.startMs)
    return {
      setup: setup.name,
      imagesPerS: ok.length / ((end - start) / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      failures: results.length - ok.length,
      gatewayCpuMsPerImage: (cpuAfter.gateway - cpuBefore.gateway) / ok.length,
      redisCpuMsPerImage: setup.redis ? (cpuAfter.redis - cpuBefore.redis) / ok.length : Number.NaN,
    }
  } finally {
    await Promise.all(loops.map((loop) => loop.stop()))
    await Promise.all(gateways.map((gateway) => gateway.stop()))
    if (setup.redis) await dropPrefix(monitor, prefix)
  }
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stopAll().finally(() => process.exit(130)))
  const emulator = await startEmulatorProcess([
    '--queue-ms',
    '0',
    '--run-ms',
    String(RUN_MS),
    '--workers',
    '1000',
  ])
  await emulatorControl(emulator.url).configure({ imageSize: 64, workers: 1000 })
  const samples: Sample[] = []
  try {
    // Rounds interleave the setups, so a slow moment of the machine does not land on one setup only.
    for (let round = 1; round <= rounds; round++) {
      for (const setup of SETUPS) {
        process.stderr.write(`bench:replicas round ${round}/${rounds}: ${setup.name} ... `)
        const sample = await measure(setup, emulator.url)
        process.stderr.write(`${sample.imagesPerS.toFixed(1)} images/s, ${sample.failures} failed\n`)
        samples.push(sample)
      }
    }
  } finally {
    closeLoadSockets()
    monitor.disconnect()
    await stopAll()
  }
  const base = median(samples.filter((s) => s.setup === SETUPS[0]?.name).map((s) => s.imagesPerS))
  console.log(
    `| setup (${SLOTS} slots, ${CLIENTS} clients, ${RUN_MS} ms jobs) | images/s: median (rounds) | vs memory | ` +
      'p50 ms | p99 ms | gateway CPU ms/image | Redis CPU ms/image | failed |',
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const setup of SETUPS) {
    const mine = samples.filter((s) => s.setup === setup.name)
    const rate = median(mine.map((s) => s.imagesPerS))
    const row = [
      setup.name,
      `${rate.toFixed(1)} (${mine.map((s) => s.imagesPerS.toFixed(1)).join(', ')})`,
      (rate / base).toFixed(2),
      median(mine.map((s) => s.p50Ms)).toFixed(0),
      median(mine.map((s) => s.p99Ms)).toFixed(0),
      median(mine.map((s) => s.gatewayCpuMsPerImage)).toFixed(2),
      setup.redis ? median(mine.map((s) => s.redisCpuMsPerImage)).toFixed(2) : '-',
      String(mine.reduce((sum, s) => sum + s.failures, 0)),
    ]
    console.log(`| ${row.join(' | ')} |`)
  }
  // A run whose requests failed measured the failures, not the gateway.
  if (samples.some((s) => s.imagesPerS === 0 || s.failures > 0)) process.exitCode = 1
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:replicas failed: ${(error as Error).message}\n`)
  void stopAll().finally(() => process.exit(1))
})
