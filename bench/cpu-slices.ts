// CPU per image over time under (b)'s load, main thread apart from the rest: how long the JIT takes to settle.
import { setTimeout as sleep } from 'node:timers/promises'
import { imagesSince, startBLoad } from './b-load.ts'
import { closeLoadSockets } from './load.ts'
import { threadCpuMs } from './proc-cpu.ts'
import { stopAll } from './processes.ts'

/** Usage: `npx tsx bench/cpu-slices.ts [seconds] [slice seconds] [entry]` (defaults 63, 10, dist/server.mjs). */
const [seconds = 63, sliceS = 10] = process.argv.slice(2, 4).map(Number)
const entry = process.argv[4] ?? 'dist/server.mjs'
/** Load before the first slice, as in (b): the lone warm-up jobs are not what is measured. */
const FIRST_SLICE_AT_MS = 3000

async function main(): Promise<void> {
  const { pid, load } = await startBLoad(entry)
  await sleep(FIRST_SLICE_AT_MS)
  console.log('seconds into the load  images  main ms/image  other threads ms/image  all ms/image')
  let before = threadCpuMs(pid)
  let delivered = load.results.length
  for (let from = FIRST_SLICE_AT_MS / 1000; from + sliceS <= seconds; from += sliceS) {
    await sleep(sliceS * 1000)
    const now = threadCpuMs(pid)
    const images = imagesSince(load, delivered)
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
