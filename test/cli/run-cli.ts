/** Runs the real `akashgen` program (client/bin/akashgen.mjs) as a child process, keeping its output as bytes. */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The repository root, where `node_modules/.bin/akashgen` is linked. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The program's entry, as npm links it. */
const BIN = fileURLToPath(new URL('../../client/bin/akashgen.mjs', import.meta.url))

/** A running `akashgen`: its output so far, and its exit. */
export interface CliRun {
  child: ChildProcess
  stdout(): Buffer
  stderr(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves with the first stderr match of `pattern`; rejects when the program exits without one. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>
}

/** Starts `node client/bin/akashgen.mjs <args>` in `cwd`, without any AKASHGEN_* variable of this process. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; command?: string } = {},
): CliRun {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AKASHGEN_')),
  )
  const [command, commandArgs] = options.command
    ? [options.command, args]
    : [process.execPath, [BIN, ...args]]
  const child = spawn(command, commandArgs, {
    cwd: options.cwd ?? ROOT,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out: Buffer[] = []
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8')
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  )
  const waitForStderr = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = err.match(pattern)
        if (match) {
          child.stderr?.off('data', check)
          resolve(match)
        }
      }
      child.stderr?.on('data', check)
      check()
      void exited.then(() => reject(new Error(`akashgen exited before printing ${pattern}; stderr: ${err}`)))
    })
  return { child, stdout: () => Buffer.concat(out), stderr: () => err, exited, waitForStderr }
}
