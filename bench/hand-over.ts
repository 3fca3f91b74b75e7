// How fast a server under (b)'s load hands a freed slot to the next job, read two ways: at the gateway (from
// the end of the status answer that freed slots to the start of the submissions that followed, recorded by the
// preload bench/upstream-calls.mjs) and at the emulator (from the answer that first reported jobs final to the
// submissions it received next, one per job the answer freed: this also holds the emulator's own delay, which
// shares a core with the load generator).
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
/** Submissions later than this after an answer are not its hand-over. */
const HAND_OVER_WITHIN_MS = 100

type Call = [at: number, event: 'start' | 'end', kind: 'status' | 'submit' | 'other']

const p = (values: number[], q: number) => percentile(values, q).toFixed(0)
const spread = (values: number[]) => `p10/p50/p90 ${p(values, 10)}/${p(values, 50)}/${p(values, 90)} ms`

/** At the gateway: after each status answer that was followed by submissions, when each of them started. */
function atGateway(calls: Call[]): string {
  const from = (calls[0]?.[0] ?? 0) + SKIP_MS
  const answers = calls.filter(([at, event, kind]) => at >= from && event === 'end' && kind === 'status')
  const submits = calls.filter(([, event, kind]) => event === 'start' && kind === 'submit').map(([at]) => at)
  const gaps: number[] = []
  const lasts: number[] = []
  answers.forEach(([answeredAt], i) => {
    const nextAnswerAt = answers[i + 1]?.[0] ?? Number.POSITIVE_INFINITY
    const until = Math.min(nextAnswerAt, answeredAt + HAND_OVER_WITHIN_MS)
    const batch = submits.filter((at) => at >= answeredAt && at < until).map((at) => at - answeredAt)
    if (batch.length === 0) return
    gaps.push(...batch)
    lasts.push(Math.max(...batch))
  })
  return `at the gateway: submissions started after the answer ${spread(gaps)}, last of each batch p50 ${p(lasts, 50)} ms`
}

/** At the emulator: jobs first reported final by one status answer, and the submissions it received next. */
function atEmulator(jobs: EmulatorJobView[], loadStartedAt: number): string {
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
  return (
    `at the emulator: ${freedBy.size} status answers freed jobs, ${p([...freedBy.values()], 50)} per answer ` +
    `(p50); next submission received ${spread(gaps)}, first of each batch p50 ${p(firsts, 50)} ms`
  )
}

async function main(): Promise<void> {
  const callsFile = join(tmpdir(), `akashgen-hand-over-${process.pid}.json`)
  process.env.BENCH_CALLS_FILE = callsFile
  const { emulatorUrl, load } = await startBLoad(entry, {
    nodeArgs: ['--import', './bench/upstream-calls.mjs'],
  })
  const loadStartedAt = Date.now()
  await sleep(seconds * 1000)
  const jobs = (await (await fetch(`${emulatorUrl}/__emulator/jobs`)).json()) as EmulatorJobView[]
  await load.stop()
  closeLoadSockets()
  await stopAll()
  const calls = JSON.parse(readFileSync(callsFile, 'utf8')) as Call[]
  rmSync(callsFile, { force: true })
  console.log(`${entry}:\n  ${atGateway(calls)}\n  ${atEmulator(jobs, loadStartedAt)}`)
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
