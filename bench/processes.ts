// Starts the emulator and the servers under test as child processes on loopback, and stops them for sure.
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

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

/** Starts the emulator CLI on a free port with the given flags and resolves once it prints its URL. */
export async function startEmulatorProcess(flags: string[]): Promise<BenchProcess> {
  const child = spawnNode(['--import', 'tsx', 'emulator/main.ts', '--port', '0', ...flags], {})
  const proc = track('emulator', child)
  const match = await waitForOutput(proc, /listening on (http:\/\/127\.0\.0\.1:\d+)/)
  proc.url = match[1] as string
  return proc
}

/** Starts a server entry with the probe preloaded on a free port; resolves once its /health answers 200. */
export async function startProbedServer(
  name: string,
  entry: string,
  env: Record<string, string>,
): Promise<BenchProcess> {
  const port = await freePort()
  const vars = { ...env, PORT: String(port), HOST: '127.0.0.1' }
  const child = spawnNode(['--import', 'tsx', '--import', './bench/probe.ts', entry], vars)
  const proc = track(name, child)
  proc.url = `http://127.0.0.1:${port}`
  await waitForHealth(proc)
  return proc
}

/** Stops every process still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()))
}

function spawnNode(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, {
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

/** A port free on 127.0.0.1 right now (the OS picks it; the child binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}
