// Starts the emulator and the servers under test as child processes on loopback, and stops them for sure.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const START_TIMEOUT_MS = 20_000

/** A child process the bench owns, with its collected stderr for error messages. */
export interface BenchProcess {
  name: string
  child: ChildProcess
  url: string
  stderr(): string
  /** SIGKILLs the process (if still running) and waits for it to exit, at most 5 s. */
  stop(): Promise<void>
}

/** Every process started and not yet stopped, so run.ts can kill them all on error or SIGINT. */
export const running = new Set<BenchProcess>()

/**
 * CPU sets: the server under test gets core 0 to itself, the emulator and the load generator share the rest,
 * so the gateway's event-loop delay measures the gateway, not three processes fighting over two cores. Off
 * with BENCH_PIN=0, or where there is one core or no `taskset`.
 */
const cores = availableParallelism()
const pinning = cores >= 2 && process.env.BENCH_PIN !== '0' && hasTaskset()
export const CPU_SETS = pinning ? { server: '0', others: cores === 2 ? '1' : `1-${cores - 1}` } : undefined

/** Moves this (load generator) process onto the shared cores. */
export function pinSelf(): void {
  if (CPU_SETS)
    execFileSync('taskset', ['-a', '-cp', CPU_SETS.others, String(process.pid)], { stdio: 'ignore' })
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** The emulator of the load scenarios: no upstream queue, 300 ms jobs, workers enough for every slot. */
export const SCENARIO_EMULATOR_FLAGS = ['--queue-ms', '0', '--run-ms', '300', '--workers', '256']

/** Starts the emulator CLI on a free port with the given flags and resolves once it prints its URL. */
export async function startEmulatorProcess(flags: string[]): Promise<BenchProcess> {
  const child = spawnNode(
    ['--import', 'tsx', 'emulator/main.ts', '--port', '0', ...flags],
    {},
    CPU_SETS?.others,
  )
  const proc = track('emulator', child)
  const match = await waitForOutput(proc, /listening on (http:\/\/127\.0\.0\.1:\d+)/)
  proc.url = match[1] as string
  return proc
}

/** Which Node.js runs a server under test, and with which extra flags. */
export interface ServerRuntime {
  /** Default: the bench's own. */
  node?: string
  /** Before the preloads and the entry, e.g. `--perf-basic-prof`. */
  nodeArgs?: string[]
}

/** Starts a server entry with the probe preloaded on a free port; resolves once its /health answers 200. */
export async function startProbedServer(
  name: string,
  entry: string,
  env: Record<string, string>,
  { node = process.execPath, nodeArgs = [] }: ServerRuntime = {},
): Promise<BenchProcess> {
  const port = await freePort()
  const vars = { ...env, PORT: String(port), HOST: '127.0.0.1' }
  // A TypeScript entry (the baseline) needs tsx; the gateway's bundle runs as `npm start` runs it, without.
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : []
  const args = [...nodeArgs, ...loader, '--import', './bench/probe.mjs', entry]
  const child = spawnNode(args, vars, CPU_SETS?.server, node)
  const proc = track(name, child)
  proc.url = `http://127.0.0.1:${port}`
  await waitForHealth(proc)
  return proc
}

/** Stops every process still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()))
}

function spawnNode(
  args: string[],
  env: Record<string, string>,
  cpus?: string,
  node = process.execPath,
): ChildProcess {
  const [command, argv] = cpus ? ['taskset', ['-c', cpus, node, ...args]] : [node, args]
  return spawn(command as string, argv as string[], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function track(name: string, child: ChildProcess): BenchProcess {
  let err = ''
  child.stderr?.on('data', (chunk) => {
    err = (err + chunk).slice(-4000)
  })
  // Always drain stdout (the gateway logs there): a full pipe would stall the process under test.
  child.stdout?.on('data', () => {})
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // A process that dies under load would otherwise show only as failed requests: say so, with its last words.
  child.once('exit', (code, signal) => {
    if (running.has(proc))
      process.stderr.write(`bench: ${name} exited during the run (${code ?? signal}):\n${err.slice(-2000)}\n`)
  })
  const proc: BenchProcess = {
    name,
    child,
    url: '',
    stderr: () => err,
    stop: async () => {
      running.delete(proc)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())])
    },
  }
  running.add(proc)
  return proc
}

function waitForOutput(proc: BenchProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = ''
    const fail = (why: string) => {
      cleanup()
      reject(new Error(`${proc.name} ${why}; stderr: ${proc.stderr()}`))
    }
    const onData = (chunk: Buffer) => {
      out += chunk
      const match = out.match(pattern)
      if (!match) return
      cleanup()
      resolve(match)
    }
    const onExit = () => fail('exited before it was ready')
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS)
    const cleanup = () => {
      clearTimeout(timer)
      proc.child.stdout?.off('data', onData)
      proc.child.off('exit', onExit)
    }
    proc.child.stdout?.on('data', onData)
    proc.child.once('exit', onExit)
  })
}

async function waitForHealth(proc: BenchProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited; stderr: ${proc.stderr()}`)
    const ok = await fetch(`${proc.url}/health`).then(
      (response) => response.ok,
      () => false,
    )
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(
    `${proc.name} did not answer /health within ${START_TIMEOUT_MS} ms; stderr: ${proc.stderr()}`,
  )
}
