// `npm run soak`: the emulator with 5% faults and a gateway process on loopback, N clients for S seconds, then checks.

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { emulatorControl } from './emulator-control.ts'
import { freePort } from './free-port.ts'
import { startEmulatorProcess, stopAll } from './processes.ts'
import { closeClientSockets, type Outcome, pickScenario, runScenario } from './soak-clients.ts'
import { percentile } from './stats.ts'

const USAGE = `Usage: npm run soak -- [--seconds 60] [--clients 200]
  --seconds <n>  how long the clients send requests (default 60)
  --clients <n>  concurrent clients, each one request at a time (default 200)`

/** 5xx codes the gateway may answer when the upstream misbehaves; any other 5xx fails the soak. */
const UPSTREAM_5XX = new Set([
  'JOB_FAILED',
  'UPSTREAM_ERROR',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'JOB_TIMEOUT',
])
/** How long the gateway keeps finished jobs during the soak. */
const RETENTION_MS = 5000
const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out'])
/** Kills the gateway if the soak ends early. */
let stopGateway = () => {}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      clients: { type: 'string', default: '200' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return true
  }
  const seconds = Number(values.seconds)
  const clients = Number(values.clients)
  if (!(seconds > 0 && seconds <= 3600 && Number.isInteger(clients) && clients > 0 && clients <= 2000))
    throw new Error(`--seconds must be 1-3600 and --clients 1-2000\n${USAGE}`)

  const emulator = await startEmulatorProcess([
    '--queue-ms',
    '100',
    '--run-ms',
    '300-1500',
    '--workers',
    '1000',
    '--image-size',
    '64',
  ])
  // 5% of jobs fail, and 5% of submit, status and image requests get a 5xx.
  const fault = { status: 503, probability: 0.05 }
  await emulatorControl(emulator.url).configure({
    failRate: 0.05,
    faults: { submit: fault, status: fault, image: { status: 500, probability: 0.05 } },
  })
  const gateway = await startGateway(emulator.url)
  stopGateway = () => gateway.child.kill('SIGKILL')
  console.log(
    `soak: ${clients} clients for ${seconds} s against ${gateway.url} (emulator ${emulator.url}, 5% faults)`,
  )

  const outcomes: Outcome[] = []
  const endAt = Date.now() + seconds * 1000
  const warmUpMs = Math.min(15_000, seconds * 300)
  let n = 0
  const client = async () => {
    while (Date.now() < endAt) {
      const scenario = pickScenario()
      try {
        outcomes.push(await runScenario(gateway.url, scenario, n++))
      } catch (error) {
        outcomes.push({ scenario, status: -1, ms: 0, jobIds: [], error: (error as Error).message })
      }
    }
  }
  const load = Promise.all(Array.from({ length: clients }, client))
  // RSS every second; a start and an end window are compared by their peaks, so where a sample falls in the
  // garbage collector's cycle (the heap swings by tens of MiB between major GCs) does not decide the check.
  const samples: { at: number; mib: number }[] = []
  const sampler = setInterval(() => samples.push({ at: Date.now(), mib: rssOf(gateway.pid) }), 1000)
  await load
  clearInterval(sampler)
  const windowMs = Math.max(2000, seconds * 200)
  const peak = (from: number, to: number) =>
    Math.max(...samples.filter((s) => s.at >= from && s.at < to).map((s) => s.mib))
  const startedAt = endAt - seconds * 1000
  const rssStart = peak(startedAt + warmUpMs, startedAt + warmUpMs + windowMs)
  const rssEnd = peak(endAt - windowMs, endAt + 1000)
  console.log(`soak: RSS every 1 s (MiB): ${samples.map((s) => s.mib.toFixed(0)).join(' ')}`)
  const drained = await waitForIdle(gateway.url)
  const unfinished = await unfinishedJobs(gateway.url, outcomes)
  closeClientSockets()

  const checks = judge(outcomes, { drained, unfinished, rssStart, rssEnd })
  gateway.child.kill('SIGTERM')
  const exit = await gateway.exited
  checks.push([exit === 0, `the gateway exited ${exit} on SIGTERM (0 expected)`])
  report(outcomes, rssStart, rssEnd, checks)
  return checks.every(([ok]) => ok)
}

/** Starts `server/server.ts` on a free port in front of the emulator and waits for /health. */
async function startGateway(upstream: string) {
  const port = await freePort()
  // A bounded heap (well above the ~60 MiB live after a GC): a leak would show as RSS growth, then as a crash.
  const child = spawn(process.execPath, ['--max-old-space-size=160', '--import', 'tsx', 'server/server.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      AKASHGEN_UPSTREAM_URL: upstream,
      AKASHGEN_MAX_CONCURRENT: '300',
      AKASHGEN_MAX_QUEUE: '2000',
      // Every simulated client is one address: per-client shares would refuse most of the load.
      AKASHGEN_MAX_JOBS_PER_CLIENT: '0',
      AKASHGEN_MAX_STREAMS_PER_CLIENT: '0',
      AKASHGEN_STATUS_RPS: '50',
      AKASHGEN_POLL_INTERVAL_MS: '100',
      AKASHGEN_JOB_TIMEOUT_MS: '60000',
      // Short retention keeps memory flat: only finished records expire, so a 404 below means final and gone.
      AKASHGEN_RETENTION_MS: String(RETENTION_MS),
      AKASHGEN_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let err = ''
  // Keep draining its output: a full pipe would stall it.
  child.stdout.on('data', () => {})
  child.stderr.on('data', (chunk) => {
    err = (err + chunk).slice(-4000)
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway exited: ${err}`)
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    if (i > 200) throw new Error(`the gateway did not answer /health within 20 s: ${err}`)
    await sleep(100)
  }
  return { url, child, pid: child.pid ?? 0, exited }
}

/** The process's resident memory in MiB (Linux /proc). */
function rssOf(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
  return match ? Number(match[1]) / 1024 : Number.NaN
}

/** True once /health shows no slot in use and nobody in line (within 30 s). */
async function waitForIdle(url: string): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    const health = (await (await fetch(`${url}/health`)).json()) as {
      slots?: { inUse: number }
      queue?: { length: number }
    }
    if (health.slots?.inUse === 0 && health.queue?.length === 0) return true
    await sleep(100)
  }
  return false
}

/**
 * The ids of accepted jobs (from X-Job-Id and tRPC answers) that are not final now. A 404 is a job past
 * retention: the store drops only finished records, so it was final too.
 */
async function unfinishedJobs(url: string, outcomes: Outcome[]): Promise<string[]> {
  const ids = [...new Set(outcomes.flatMap((o) => o.jobIds))]
  const unfinished: string[] = []
  let expired = 0
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map(async (id) => {
        const response = await fetch(`${url}/api/jobs/${id}`)
        const job = (await response.json()) as { status?: string; code?: string }
        if (response.status === 404 && job.code === 'NOT_FOUND') expired++
        else if (!FINAL.has(job.status ?? '')) unfinished.push(`${id} (${response.status} ${job.status})`)
      }),
    )
  }
  console.log(
    `soak: ${ids.length} accepted jobs checked with GET /api/jobs/:id: ${ids.length - expired - unfinished.length} ` +
      `final, ${expired} final and past the ${RETENTION_MS / 1000} s retention, ${unfinished.length} not final`,
  )
  return unfinished
}

type Check = [ok: boolean, what: string]

function judge(
  outcomes: Outcome[],
  facts: { drained: boolean; unfinished: string[]; rssStart: number; rssEnd: number },
): Check[] {
  const unexpected5xx = outcomes.filter((o) => o.status >= 500 && !UPSTREAM_5XX.has(o.code ?? ''))
  const badNot400 = outcomes.filter((o) => o.scenario === 'bad-body' && o.status !== 400)
  const good400 = outcomes.filter((o) => o.scenario !== 'bad-body' && o.status === 400)
  const failed = outcomes.filter((o) => o.status === -1 || o.error)
  const show = (list: Outcome[]) =>
    list
      .slice(0, 5)
      .map((o) => `${o.scenario} ${o.status} ${o.code ?? ''} ${o.error ?? ''}`)
      .join('; ')
  return [
    [
      unexpected5xx.length === 0,
      `no 5xx but the upstream's (502/503/504 with an upstream code): ${unexpected5xx.length} others ${show(unexpected5xx)}`,
    ],
    [
      badNot400.length === 0 && good400.length === 0,
      `400 for exactly the bad bodies: ${badNot400.length + good400.length} wrong ${show([...badNot400, ...good400])}`,
    ],
    [failed.length === 0, `no request failed on the client side: ${failed.length} ${show(failed)}`],
    [facts.drained, '/health back to 0 slots in use and an empty line'],
    [
      facts.unfinished.length === 0,
      `every accepted job final: ${facts.unfinished.length} not ${facts.unfinished.slice(0, 5).join(', ')}`,
    ],
    [
      facts.rssEnd <= 1.1 * facts.rssStart,
      `RSS at the end within 10% of RSS after warm-up (peaks of a window each): ${facts.rssStart.toFixed(1)} -> ${facts.rssEnd.toFixed(1)} MiB`,
    ],
  ]
}

function report(outcomes: Outcome[], rssStart: number, rssEnd: number, checks: Check[]): void {
  const byStatus = new Map<string, number>()
  for (const o of outcomes) {
    const key = o.status === 0 ? 'aborted by the client' : `${o.status}${o.code ? ` ${o.code}` : ''}`
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1)
  }
  console.log(`\nsoak report: ${outcomes.length} requests`)
  for (const [key, count] of [...byStatus].sort()) console.log(`  ${key.padEnd(32)} ${count}`)
  const answered = outcomes.filter((o) => o.status > 0).map((o) => o.ms)
  const sync = outcomes.filter((o) => o.scenario === 'rest-sync' && o.status === 200).map((o) => o.ms)
  console.log(
    `  p99 latency: ${percentile(answered, 99).toFixed(0)} ms (all answers), ${percentile(sync, 99).toFixed(0)} ms (sync images), p50 ${percentile(sync, 50).toFixed(0)} ms`,
  )
  console.log(
    `  RSS (peak of a window): ${rssStart.toFixed(1)} MiB after warm-up, ${rssEnd.toFixed(1)} MiB at the end`,
  )
  for (const [ok, what] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`)
  console.log(checks.every(([ok]) => ok) ? 'soak: PASS' : 'soak: FAIL')
}

main()
  .then(async (passed) => {
    await stopAll()
    process.exit(passed ? 0 : 1)
  })
  .catch(async (error: unknown) => {
    console.error(`soak: ${(error as Error).message}`)
    stopGateway()
    await stopAll()
    process.exit(2)
  })
process.once('SIGINT', () => {
  stopGateway()
  void stopAll().then(() => process.exit(130))
})
