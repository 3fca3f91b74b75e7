/** Child processes of the package check: run to the end, or start a server and wait for its URL line. */
import { spawn } from 'node:child_process'
import { dirname } from 'node:path'
import { collectOutput } from '../../support/process.ts'

/** How one finished command went. */
export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Where and with which Node a command runs; `node` is the binary whose folder leads PATH. */
export interface RunOptions {
  cwd: string
  node?: string
  env?: Record<string, string>
  timeoutMs?: number
}

/** The environment of a child: this one, with `node`'s folder first on PATH, without the test run's Redis. */
function childEnv(options: Pick<RunOptions, 'node' | 'env'>): NodeJS.ProcessEnv {
  const { REDIS_URL: _redis, NODE_OPTIONS: _loaders, ...inherited } = process.env
  const node = options.node ?? process.execPath
  return { ...inherited, PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, ...options.env }
}

/** Runs `command args` to its exit (killed after `timeoutMs`) and collects its output. */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const collected = collectOutput(child)
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: collected.stdout(), stderr: collected.stderr() })
    })
  })
}

/** Runs a command that must succeed; a failure throws with the command and everything it printed. */
export async function runOk(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    )
  }
  return result
}

/** A long-running child and the first match of its ready line. */
export interface Started {
  match: RegExpMatchArray
  stop(): Promise<void>
}

/** Starts `command args` and resolves once stdout matches `ready`; rejects if it exits or times out first. */
export function startUntil(
  command: string,
  args: string[],
  ready: RegExp,
  options: RunOptions,
): Promise<Started> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const collected = collectOutput(child)
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      cleanup()
      child.kill('SIGKILL')
      reject(new Error(`${command} ${why}; stdout: ${collected.stdout()}; stderr: ${collected.stderr()}`))
    }
    const onData = () => {
      const match = collected.stdout().match(ready)
      if (!match) return
      cleanup()
      resolve({ match, stop })
    }
    const onClose = () => fail(`exited before printing ${ready}`)
    const timer = setTimeout(() => fail(`printed no ${ready} in time`), options.timeoutMs ?? 30_000)
    const cleanup = () => {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('close', onClose)
    }
    child.stdout?.on('data', onData)
    child.once('close', onClose)
    child.once('error', (error) => fail(`could not start: ${error.message}`))
  })
}
