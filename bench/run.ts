// `npm run bench`: starts the emulator, measures each scenario on the gateway and the baseline, prints one table.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { emulatorControl } from './emulator-control.ts'
import { formatFootprint, measureFootprintRows } from './footprint-rows.ts'
import { closeLoadSockets } from './load.ts'
import { measureScenario, type ServerUnderTest } from './measure.ts'
import { type BenchOptions, parseBenchArgs, USAGE } from './options.ts'
import { CPU_SETS, pinSelf, SCENARIO_EMULATOR_FLAGS, startEmulatorProcess, stopAll } from './processes.ts'
import type { Row } from './row.ts'
import { scenarios } from './scenarios.ts'
import { formatTable } from './table.ts'

// The bundle, as `npm start` runs it: issue 13's targets are on what ships, not on the sources under tsx.
const GATEWAY: ServerUnderTest = { name: 'akashgen', entry: 'dist/server.mjs' }
const BASELINE: ServerUnderTest = { name: 'baseline', entry: 'bench/baseline-proxy.ts' }
const RESULTS = fileURLToPath(new URL('./results/latest.json', import.meta.url))

/** Runs the chosen scenarios; resolves with the rows, or throws when the harness itself failed. */
async function runBench(options: BenchOptions): Promise<Row[]> {
  const chosen = scenarios(options.smoke).filter((s) => !options.only || options.only.includes(s.id))
  const node = options.serverNode.path
  const servers = (options.baseline ? [GATEWAY, BASELINE] : [GATEWAY]).map((server) => ({ ...server, node }))
  if (chosen.length > 0 && !existsSync(GATEWAY.entry)) {
    throw new Error(`the bench measures ${GATEWAY.entry}: run \`npm run build\` first`)
  }
  const emulatorProcess = await startEmulatorProcess(SCENARIO_EMULATOR_FLAGS)
  const emulator = { url: emulatorProcess.url, control: emulatorControl(emulatorProcess.url) }
  const rows: Row[] = []
  for (const scenario of chosen) {
    for (const server of servers) {
      const started = Date.now()
      process.stderr.write(`bench: (${scenario.id}) ${scenario.title} on ${server.name} ... `)
      const row = await measureScenario(scenario, server, emulator)
      process.stderr.write(`${row.images} images in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
      if (row.firstFailure)
        process.stderr.write(
          `bench:   ${row.failures} failed (${row.failureKinds?.join('; ')}), first: ${row.firstFailure}\n`,
        )
      rows.push(row)
    }
    const baseline = rows.find((r) => r.scenario === scenario.id && r.server === BASELINE.name)
    for (const row of rows.filter((r) => r.scenario === scenario.id && baseline)) {
      row.vsBaseline = row.imagesPerS / (baseline as Row).imagesPerS
    }
  }
  const ran = [...new Set(rows.map((row) => row.node))]
  if (ran.some((version) => version !== options.serverNode.version))
    throw new Error(`servers ran on Node.js ${ran.join(', ')}, not ${options.serverNode.version}`)
  console.log(`servers under test on Node.js ${options.serverNode.version}\n`)
  console.log(formatTable(rows, chosen))
  let footprint: Awaited<ReturnType<typeof measureFootprintRows>> = []
  if (!options.only || options.only.includes('f')) {
    const runs = options.smoke ? 1 : 5
    footprint = await measureFootprintRows(runs, node)
    console.log(`\n${formatFootprint(footprint, runs)}`)
  }
  writeResults(options, rows, footprint)
  const empty = rows.filter((row) => row.images === 0)
  if (empty.length > 0) {
    throw new Error(`no images delivered in: ${empty.map((r) => `(${r.scenario}) ${r.server}`).join(', ')}`)
  }
  return rows
}

function writeResults(options: BenchOptions, rows: Row[], footprint: unknown[]): void {
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGiB: totalmem() / 1024 ** 3,
    pinning: CPU_SETS ?? null,
  }
  const report = {
    date: new Date().toISOString(),
    commit: commit(),
    node: process.version,
    serverNode: options.serverNode.version,
    machine,
    options,
    rows,
    footprint,
  }
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true })
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`)
  process.stderr.write(`bench: results written to ${RESULTS}\n`)
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return 'unknown'
  }
}

async function main(): Promise<void> {
  let options: BenchOptions | 'help'
  try {
    options = parseBenchArgs(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`)
    process.exit(2)
  }
  if (options === 'help') return console.log(USAGE)
  // Children must never outlive the bench, even when it is interrupted.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopAll().finally(() => process.exit(130))
    })
  }
  pinSelf()
  process.stderr.write(
    CPU_SETS
      ? `bench: server under test on cpu ${CPU_SETS.server}; emulator and load generator on cpu ${CPU_SETS.others}\n`
      : 'bench: no CPU pinning\n',
  )
  try {
    await runBench(options)
  } catch (error) {
    process.stderr.write(`bench: failed: ${(error as Error).message}\n`)
    process.exitCode = 1
  } finally {
    closeLoadSockets()
    await stopAll()
  }
}

main()
