// How fast a server under (b)'s load hands a freed slot to the next job, read at the emulator: from the status
// answer that first reported jobs final to the submissions that followed it, one per job it freed.
import { setTimeout as sleep } from 'node:timers/promises'
import type { EmulatorJobView } from '../emulator/jobs/record.ts'
import { startBLoad } from './b-load.ts'
import { closeLoadSockets } from './load.ts'
import { stopAll } from './processes.ts'
import { percentile } from './stats.ts'

/** Usage: `npx tsx bench/hand-over.ts [entry] [seconds]` (defaults dist/server.mjs, 20); jobs from 5 s on count. */
const entry = process.argv[2] ?? 'dist/server.mjs'
const seconds = Number(process.argv[3] ?? 20)
const SKIP_MS = 5000

async function main(): Promise<void> {
  const { emulatorUrl, load } = await startBLoad(entry)
  const loadStartedAt = Date.now()
  await sleep(seconds * 1000)
  const jobs = (await (await fetch(`${emulatorUrl}/__emulator/jobs`)).json()) as EmulatorJobView[]
  await load.stop()
  const counted = jobs.filter((job) => job.submittedAt >= loadStartedAt + SKIP_MS)
  const submissions = counted.map((job) => job.submittedAt).sort((a, b) => a - b)
  // Jobs first reported final by the same status answer share its time.
  const freedBy = new Map<number, number>()
  for (const { firstReportedFinalAt: at } of counted)
    if (at !== null) freedBy.set(at, (freedBy.get(at) ?? 0) + 1)
  const gaps: number[] = []
  const firsts: number[] = []
  for (const [answeredAt, freed] of freedBy) {
    const next = submissions.filter((at) => at >= answeredAt).slice(0, freed)
    if (next.length < freed) continue
    gaps.push(...next.map((at) => at - answeredAt))
    firsts.push((next[0] as number) - answeredAt)
  }
  const p = (values: number[], q: number) => percentile(values, q).toFixed(0)
  console.log(
    `${entry}: ${freedBy.size} status answers freed jobs, ${p([...freedBy.values()], 50)} per answer (p50); ` +
      `next submission after the answer p10/p50/p90 ${p(gaps, 10)}/${p(gaps, 50)}/${p(gaps, 90)} ms, ` +
      `first of each batch p50 ${p(firsts, 50)} ms`,
  )
}

main()
  .catch((error: unknown) => {
    console.error(`hand-over: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
  .finally(() => {
    closeLoadSockets()
    return stopAll()
  })
