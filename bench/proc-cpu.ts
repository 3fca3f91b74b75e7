// Reads CPU time from /proc (user + system, in ms): a whole process's, or each of its threads'.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc's time fields (`getconf CLK_TCK`; 100 on Linux almost everywhere). */
const CLK_TCK = clockTicks()

/** utime + stime of `pid` in ms, or NaN where /proc is missing (not Linux) or the process is gone. */
export function cpuTimeMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN
  return statCpuMs(`/proc/${pid}/stat`)
}

/**
 * CPU ms of each thread of `pid`, by thread id (the main thread's id is the pid); empty where /proc is missing.
 * A Node process's other threads are V8's (compiling, garbage collection) and libuv's.
 */
export function threadCpuMs(pid: number): Map<string, number> {
  const threads = new Map<string, number>()
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`))
      threads.set(tid, statCpuMs(`/proc/${pid}/task/${tid}/stat`))
  } catch {
    // Not Linux, or the process is gone.
  }
  return threads
}

function statCpuMs(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8')
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 of stat(5) (utime, stime) are at 11 and 12 once pid and comm are cut off.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
  } catch {
    return Number.NaN
  }
}

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    return ticks > 0 ? ticks : 100
  } catch {
    return 100
  }
}
