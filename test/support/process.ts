/** Runs the project's real entry points (`server/server.ts`, `scripts/demo.ts`) as child processes. */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** A child process with its output collected and its exit awaited. */
export interface RunningProcess {
  child: ChildProcess
  stdout(): string
  stderr(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves with the first stdout match of `pattern`, or rejects when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  kill(): void
}

/** Kills every process in `processes`, empties the list, and waits until each has exited. */
export async function stopAll(processes: RunningProcess[]): Promise<void> {
  const stopping = processes.splice(0)
  for (const running of stopping) running.kill()
  await Promise.all(stopping.map((running) => running.exited))
}

/** Collects a child's stdout and stderr from now on; each getter returns everything so far. */
export function collectOutput(child: ChildProcess): { stdout(): string; stderr(): string } {
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk) => {
    out += chunk
  })
  child.stderr?.on('data', (chunk) => {
    err += chunk
  })
  return { stdout: () => out, stderr: () => err }
}

/** Starts `node --import tsx <script>` from the repository root with `env` added to this environment. */
export function runScript(script: string, env: Record<string, string>): RunningProcess {
  return runNode(['--import', 'tsx', script], env)
}

/** Starts `node <args>` from the repository root with `env` added to this environment. */
export function runNode(args: string[], env: Record<string, string>): RunningProcess {
  // REDIS_URL tells the test run where Redis is; a child uses Redis only when its test says so.
  const { REDIS_URL: _redis, ...inherited } = process.env
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const { stdout, stderr } = collectOutput(child)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stdout().match(pattern)
        if (!match) return false
        cleanup()
        resolve(match)
        return true
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`timed out waiting for ${pattern}; stdout: ${stdout()}; stderr: ${stderr()}`))
      }, timeoutMs)
      const onExit = () => {
        if (check()) return
        cleanup()
        reject(new Error(`process exited before ${pattern}; stdout: ${stdout()}; stderr: ${stderr()}`))
      }
      const cleanup = () => {
        clearTimeout(timer)
        child.stdout?.off('data', check)
        child.off('exit', onExit)
      }
      if (check()) return
      child.stdout?.on('data', check)
      child.once('exit', onExit)
    })
  return {
    child,
    stdout,
    stderr,
    exited,
    waitFor,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    },
  }
}

/** Starts the gateway (from source, or the given bundle) and resolves with its URL once it listens on loopback. */
export async function runGateway(
  env: Record<string, string>,
  entry = 'server/server.ts',
): Promise<RunningProcess & { url: string }> {
  const vars = { PORT: '0', HOST: '127.0.0.1', ...env }
  const gateway = entry.endsWith('.ts') ? runScript(entry, vars) : runNode([entry], vars)
  const [, url] = await gateway.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/)
  return { ...gateway, url: url as string }
}
