// Footprint of a server process: time from spawn to its first /health 200, and its RSS at rest after one request.
// `npx tsx bench/footprint.ts` prints both for the bundled gateway (`node dist/server.mjs`, as `npm start` runs it)
// and for a bare Fastify server started the same way, each the median of 5 fresh processes.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { startEmulator } from '@akashgen/emulator'
import { freePort } from './free-port.ts'
import { cpuTimeMs } from './proc-cpu.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const START_TIMEOUT_MS = 20_000
/** How often /health is tried while the server starts: the resolution of `readyMs`. */
const POLL_MS = 5
/** Quiet time after the one request before RSS is read (lets the request's garbage and timers settle). */
const SETTLE_MS = 1000
/** With `idleCpu`: rest before the idle CPU is read (start-up's background compiling and collecting ends)... */
const IDLE_CPU_AFTER_MS = 20_000
/** ...and how long it is read for. */
const IDLE_CPU_WINDOW_MS = 30_000

/** What to start: argv (a leading `node` means this process's own Node) and extra environment. */
export interface FootprintOptions {
  serverCommand: string[]
  env?: Record<string, string>
  /** Fresh processes to measure; the result is the median of each figure. 5 unless given. */
  runs?: number
  /** Also read the CPU the process spends at rest (50 s more per process). */
  idleCpu?: boolean
}

/** Medians over the runs: resident memory at rest after one request, and spawn to first /health 200. */
export interface Footprint {
  idleRssMiB: number
  readyMs: number
  /**
   * CPU time (user + system, all threads) the process spent until its first /health 200: the start-up's work,
   * which other jobs on a shared machine stretch in wall-clock time but hardly change.
   */
  readyCpuMs: number
  /** With `idleCpu`: CPU ms per second at rest, 20-50 s after the one request (timers that wake an idle process). */
  idleCpuMsPerS?: number
}

/**
 * Spawns `serverCommand` `runs` times, one at a time, on a free loopback port (PORT, HOST) in front of an emulator
 * on loopback (AKASHGEN_UPSTREAM_URL), and measures each: ready time, then one POST /api/generate that must answer
 * 200, a second of quiet, and VmRSS from /proc. REDIS_URL is not passed on unless `env` sets it (memory mode).
 */
export async function measureFootprint({
  serverCommand,
  env = {},
  runs = 5,
  idleCpu = false,
}: FootprintOptions): Promise<Footprint> {
  const upstream = await startEmulator({ queueMs: 0, runMs: 50, imageSize: 64 })
  try {
    const samples: Footprint[] = []
    for (let run = 0; run < runs; run++)
      samples.push(await measureOnce(serverCommand, { AKASHGEN_UPSTREAM_URL: upstream.url, ...env }, idleCpu))
    return {
      idleRssMiB: median(samples.map((sample) => sample.idleRssMiB)),
      readyMs: median(samples.map((sample) => sample.readyMs)),
      readyCpuMs: median(samples.map((sample) => sample.readyCpuMs)),
      ...(idleCpu ? { idleCpuMsPerS: median(samples.map((sample) => sample.idleCpuMsPerS ?? 0)) } : {}),
    }
  } finally {
    await upstream.close()
  }
}

async function measureOnce(
  serverCommand: string[],
  env: Record<string, string>,
  idleCpu: boolean,
): Promise<Footprint> {
  const port = await freePort()
  const { REDIS_URL: _memoryMode, ...inherited } = process.env
  const [command, ...args] = serverCommand
  const started = performance.now()
  const child = spawn(command === 'node' ? process.execPath : (command as string), args, {
    cwd: ROOT,
    env: { ...inherited, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    const base = `http://127.0.0.1:${port}`
    const deadline = started + START_TIMEOUT_MS
    while ((await send(`${base}/health`, 'GET')).status !== 200) {
      if (child.exitCode !== null) throw new Error(`${serverCommand.join(' ')} exited: ${stderr}`)
      if (performance.now() > deadline) throw new Error(`${serverCommand.join(' ')} not ready: ${stderr}`)
      await sleep(POLL_MS)
    }
    const readyMs = performance.now() - started
    const readyCpuMs = cpuTimeMs(child.pid)
    const answer = await send(`${base}/api/generate`, 'POST', JSON.stringify({ prompt: 'footprint' }))
    if (answer.status !== 200) throw new Error(`POST /api/generate answered ${answer.status}: ${answer.body}`)
    await sleep(SETTLE_MS)
    const idleRssMiB = await rssMiB(child.pid as number)
    if (!idleCpu) return { idleRssMiB, readyMs, readyCpuMs }
    await sleep(IDLE_CPU_AFTER_MS)
    const before = cpuTimeMs(child.pid)
    await sleep(IDLE_CPU_WINDOW_MS)
    const idleCpuMsPerS = (cpuTimeMs(child.pid) - before) / (IDLE_CPU_WINDOW_MS / 1000)
    return { idleRssMiB, readyMs, readyCpuMs, idleCpuMsPerS }
  } finally {
    child.kill('SIGKILL')
    await exited
  }
}

/** One request on a fresh connection; a refused connection (not listening yet) is status 0. */
function send(url: string, method: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' }
    const req = request(url, { method, headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('latin1')
      res.on('data', (chunk: string) => {
        if (text.length < 2000) text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      res.on('error', () => resolve({ status: 0, body: text }))
    })
    req.on('error', () => resolve({ status: 0, body: '' }))
    req.end(body)
  })
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1])
  return kib / 1024
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const node = process.argv.includes('--node')
    ? (process.argv[process.argv.indexOf('--node') + 1] as string)
    : 'node'
  const idleCpu = process.argv.includes('--idle-cpu')
  const runs = idleCpu ? 3 : 5
  const servers = [
    { name: 'gateway (node dist/server.mjs)', serverCommand: [node, 'dist/server.mjs'] },
    { name: 'bare Fastify (node bench/bare-fastify.mjs)', serverCommand: [node, 'bench/bare-fastify.mjs'] },
  ]
  process.stdout.write(
    `server                                      idle RSS MiB  ready ms  CPU ms to ready${idleCpu ? '  idle CPU ms/s' : ''}  (median of ${runs}, ${node === 'node' ? process.version : node})\n`,
  )
  for (const server of servers) {
    const { idleRssMiB, readyMs, readyCpuMs, idleCpuMsPerS } = await measureFootprint({
      serverCommand: server.serverCommand,
      runs,
      idleCpu,
    })
    const idle = idleCpuMsPerS === undefined ? '' : idleCpuMsPerS.toFixed(2).padStart(15)
    process.stdout.write(
      `${server.name.padEnd(44)}${idleRssMiB.toFixed(1).padStart(12)}${readyMs.toFixed(0).padStart(10)}${readyCpuMs.toFixed(0).padStart(17)}${idle}\n`,
    )
  }
}
