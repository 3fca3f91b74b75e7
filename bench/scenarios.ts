// The four load scenarios of the issue, their smoke-sized twins, and the targets the gateway should meet.
import type { ElapsedTimeMode } from '../emulator/options.ts'

const MiB = 1024 * 1024

/** A fixed number of requests, or a fixed stretch of time. */
export type Amount = { requests: number } | { ms: number }

/** One load scenario: the load, the upstream's job times, and how long to warm up and to measure. */
export interface Scenario {
  id: string
  title: string
  clients: number
  /** AKASHGEN_MAX_CONCURRENT (and the baseline's semaphore). */
  slots: number
  runMs: number | [number, number]
  imagePadBytes: number
  /** Not measured: lone requests for (a); for the others, time under the full load before the window opens. */
  warmup: Amount
  measure: Amount
  /** What the emulator's `elapsed_time` does after a job ends (its default, `frozen`, when absent). */
  elapsedTime?: ElapsedTimeMode
}

/** The modes the (a) and (b) rows are repeated in, as `a-growing`, `b-absent` and so on. */
const OTHER_ELAPSED_MODES: ElapsedTimeMode[] = ['growing', 'absent']

/**
 * Load before `b-steady`'s window opens. V8 compiles the hot code while the first thousand or so images go
 * through: in (b)'s window, 3 to 18 s into the load, that compiling and the still unoptimised code were more
 * than half of the server's CPU, on threads the single pinned core shares. By 30 s it has settled, so
 * `b-steady` measures what each image costs a server that has been running; (b) keeps its short warm-up, so
 * the start-up cost stays visible beside it. Both carry the CPU target.
 */
const STEADY_WARMUP_MS = 30_000

/** A figure a row reports, by the name the table and the targets use. */
export type Metric =
  | 'imagesPerS'
  | 'overheadP50Ms'
  | 'lagP50Ms'
  | 'statusPerImage'
  | 'rssGrowthMiB'
  | 'loopP99Ms'
  | 'cpuPerImageMs'

/** A target of the issue: `metric` must be at most (or at least) `limit` in `scenario` ('*' = every one). */
export interface Target {
  scenario: string
  metric: Metric
  op: '<=' | '>='
  limit: number
  label: string
}

/** The scenarios at full length (`smoke` = false) or shortened to a couple of seconds each. */
export function scenarios(smoke: boolean): Scenario[] {
  const base = baseScenarios(smoke)
  // (a) and (b) again with an upstream whose elapsed_time keeps counting after the end, or is missing.
  const modes = base
    .filter((s) => s.id === 'a' || s.id === 'b')
    .flatMap((s) =>
      OTHER_ELAPSED_MODES.map((mode) => ({
        ...s,
        id: `${s.id}-${mode}`,
        title: `${s.title}, elapsed_time ${mode}`,
        elapsedTime: mode,
      })),
    )
  const b = base.find((s) => s.id === 'b') as Scenario
  const steady: Scenario = {
    ...b,
    id: 'b-steady',
    title: `${b.title}, after ${STEADY_WARMUP_MS / 1000} s of load`,
    warmup: { ms: smoke ? 1000 : STEADY_WARMUP_MS },
  }
  return [...base, ...modes, steady]
}

/** Every scenario id `--only` takes (f is the footprint, not a load). */
export const SCENARIO_IDS = [...scenarios(true).map((s) => s.id), 'f']

function baseScenarios(smoke: boolean): Scenario[] {
  const window = (ms: number): Amount => ({ ms: smoke ? 2000 : ms })
  const warm = (ms: number): Amount => ({ ms: smoke ? 500 : ms })
  return [
    {
      id: 'a',
      title: 'lone requests, 300 ms jobs',
      clients: 1,
      slots: 10,
      runMs: 300,
      imagePadBytes: 0,
      warmup: { requests: smoke ? 1 : 5 },
      measure: { requests: smoke ? 3 : 20 },
    },
    {
      id: 'b',
      title: '50 clients, 10 slots, 300 ms jobs',
      clients: smoke ? 20 : 50,
      slots: 10,
      runMs: 300,
      imagePadBytes: 0,
      warmup: warm(3000),
      measure: window(15_000),
    },
    {
      id: 'c',
      title: '200 clients, 10 slots, 2-8 s jobs',
      clients: smoke ? 20 : 200,
      slots: 10,
      // Smoke jobs are ten times shorter, so two seconds still deliver images.
      runMs: smoke ? [200, 800] : [2000, 8000],
      imagePadBytes: 0,
      warmup: warm(8000),
      measure: window(60_000),
    },
    {
      id: 'd',
      title: '50 clients, 50 slots, 2 MiB images',
      clients: smoke ? 10 : 50,
      // 50 slots, so that 50 images of 2 MiB are really in flight at once, as the target says.
      slots: smoke ? 10 : 50,
      runMs: 300,
      imagePadBytes: 2 * MiB,
      warmup: warm(3000),
      measure: window(15_000),
    },
  ]
}

/** The targets for the gateway on a 2-core machine. */
export const TARGETS: Target[] = [
  { scenario: 'a', metric: 'overheadP50Ms', op: '<=', limit: 50, label: 'delivery overhead p50 <= 50 ms' },
  { scenario: 'b', metric: 'imagesPerS', op: '>=', limit: 24, label: '>= 24 images/s' },
  { scenario: 'c', metric: 'statusPerImage', op: '<=', limit: 2, label: '<= 2 status requests per image' },
  { scenario: 'c', metric: 'lagP50Ms', op: '<=', limit: 150, label: 'delivery lag p50 <= 150 ms' },
  // Issue 13's wording: on (b) itself, so every (b) row carries it, b-steady (the settled process) included.
  { scenario: 'b', metric: 'cpuPerImageMs', op: '<=', limit: 3, label: 'server CPU <= 3 ms per image' },
  { scenario: 'd', metric: 'rssGrowthMiB', op: '<=', limit: 24, label: 'RSS growth over idle <= 24 MiB' },
  { scenario: '*', metric: 'loopP99Ms', op: '<=', limit: 20, label: 'event-loop delay p99 <= 20 ms' },
]

/** The targets that apply to one scenario: its own, and those of its base (`a-growing` has those of `a`). */
export function targetsOf(scenarioId: string): Target[] {
  const base = scenarioId.split('-')[0]
  return TARGETS.filter((target) => [scenarioId, base, '*'].includes(target.scenario))
}

/** Whether a value meets a target; a missing value (NaN) never does. */
export function meets(target: Target, value: number): boolean {
  return target.op === '<=' ? value <= target.limit : value >= target.limit
}
