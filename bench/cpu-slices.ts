// CPU per image over time under (b)'s load, main thread apart from the rest: how long the JIT takes to settle.
import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { closeLoadSockets, startClosedLoop } from './load.ts'
import { serverEnv } from './measure.ts'
import { threadCpuMs } from './proc-cpu.ts'
import { pinSelf, startEmulatorProcess, startProbedServer, stopAll } from './processes.ts'

/** Usage: `npx tsx bench/cpu-slices.ts [seconds] [slice seconds] [entry]` (defaults 63, 10, dist/server.mjs). */
const [seconds = 63, sliceS = 10] = process.argv.slice(2, 4).map(Number)
const entry = process.argv[4] ?? 'dist/server.mjs'
/** Load before the first slice, as in (b): the lone warm-up jobs are not what is measured. */
const FIRST_SLICE_AT_MS = 3000

async function main(): Promise<void> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`)
  pinSelf()
  const emulator = await startEmulatorProcess(['--queue-ms', '0', '--run-ms', '300', '--workers', '256'])
  const server = await startProbedServer('akashgen', entry, serverEnv(10, emulator.url as string))
  const pid = server.child.pid as number
  const url = server.url as string
  const warm = { url, requestTimeoutMs: 60_000, promptFor: (n: number) => `slices warm ${n}` }
  await startClosedLoop({ ...warm, clients: 1, maxRequests: 3 }).done
  const load = startClosedLoop({
    url,
    clients: 50,
    requestTimeoutMs: 60_000,
    promptFor: (n) => `slices ${n}`,
  })
  await sleep(FIRST_SLICE_AT_MS)
  console.log('seconds into the load  images  main ms/image  other threads ms/image  all ms/image')
  let before = threadCpuMs(pid)
  let delivered = load.results.length
  for (let from = FIRST_SLICE_AT_MS / 1000; from + sliceS <= seconds; from += sliceS) {
    await sleep(sliceS * 1000)
    const now = threadCpuMs(pid)
    const images = load.results.slice(delivered).filter((r) => r.status === 200).length
    let main = 0
    let others = 0
    for (const [tid, ms] of now) {
      const spent = ms - (before.get(tid) ?? 0)
      if (tid === String(pid)) main += spent
      else others += spent
    }
    const per = (ms: number) => (ms / images).toFixed(2).padStart(10)
    console.log(
      `${`${from}-${from + sliceS}`.padEnd(22)} ${String(images).padStart(6)} ${per(main)}    ${per(others)}            ${per(main + others)}`,
    )
    before = now
    delivered = load.results.length
  }
  await load.stop()
  closeLoadSockets()
}

main()
  .catch((error: unknown) => {
    console.error(`cpu-slices: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
  .finally(stopAll)
