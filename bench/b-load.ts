// Scenario (b)'s load on one gateway, for the tools that watch a server under it (cpu-slices, perf-split).
import { existsSync } from 'node:fs'
import { type LoadRun, startClosedLoop } from './load.ts'
import { serverEnv } from './measure.ts'
import {
  pinSelf,
  SCENARIO_EMULATOR_FLAGS,
  type ServerRuntime,
  startEmulatorProcess,
  startProbedServer,
} from './processes.ts'

/** A gateway under (b)'s load: 50 closed-loop clients, 10 slots, 300 ms jobs. Stop it with `stopAll()`. */
export interface BLoad {
  /** The server process's pid. */
  pid: number
  /** The emulator's URL (its `/__emulator/jobs` records every job's times). */
  emulatorUrl: string
  load: LoadRun
}

/** Starts the emulator and the gateway `entry` (pinned as in the bench), 3 lone jobs, then the load. */
export async function startBLoad(entry: string, runtime: ServerRuntime = {}): Promise<BLoad> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`)
  pinSelf()
  const emulator = await startEmulatorProcess(SCENARIO_EMULATOR_FLAGS)
  const server = await startProbedServer('akashgen', entry, serverEnv(10, emulator.url as string), runtime)
  const url = server.url as string
  const requestTimeoutMs = 60_000
  await startClosedLoop({ url, requestTimeoutMs, clients: 1, maxRequests: 3, promptFor: (n) => `warm ${n}` })
    .done
  const load = startClosedLoop({ url, requestTimeoutMs, clients: 50, promptFor: (n) => `b-load ${n}` })
  return { pid: server.child.pid as number, emulatorUrl: emulator.url as string, load }
}

/** Images (200 answers) the load delivered since `from` results were in. */
export function imagesSince(load: LoadRun, from: number): number {
  return load.results.slice(from).filter((result) => result.status === 200).length
}
