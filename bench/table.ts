// Prints rows as one fixed-width table, with a ✓/✗ mark on each figure that has a target.
import type { Row } from './row.ts'
import { meets, type Scenario, targetsOf } from './scenarios.ts'

/** The server whose rows are checked against the targets. */
export const CHECKED_SERVER = 'akashgen'

interface Column {
  head: string
  cell(row: Row): string
  metric?: keyof Row
}

const fixed = (digits: number) => (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits)
const ms = fixed(0)

const COLUMNS: Column[] = [
  { head: 'scenario', cell: (r) => r.scenario },
  { head: 'server', cell: (r) => r.server },
  { head: 'images', cell: (r) => String(r.images) },
  { head: 'non-200', cell: (r) => String(r.failures) },
  { head: 'images/s', cell: (r) => fixed(1)(r.imagesPerS), metric: 'imagesPerS' },
  { head: 'vs baseline', cell: (r) => (r.vsBaseline === undefined ? '-' : `${fixed(2)(r.vsBaseline)}x`) },
  { head: 'p50 ms', cell: (r) => ms(r.latencyP50Ms) },
  { head: 'p99 ms', cell: (r) => ms(r.latencyP99Ms) },
  { head: 'overhead p50', cell: (r) => ms(r.overheadP50Ms), metric: 'overheadP50Ms' },
  { head: 'overhead p99', cell: (r) => ms(r.overheadP99Ms) },
  { head: 'lag p50', cell: (r) => ms(r.lagP50Ms), metric: 'lagP50Ms' },
  { head: 'lag p99', cell: (r) => ms(r.lagP99Ms) },
  { head: 'status/image', cell: (r) => fixed(2)(r.statusPerImage), metric: 'statusPerImage' },
  { head: 'RSS peak MiB', cell: (r) => fixed(0)(r.peakRssMiB) },
  { head: 'RSS growth MiB', cell: (r) => fixed(1)(r.rssGrowthMiB), metric: 'rssGrowthMiB' },
  { head: 'CPU ms/image', cell: (r) => fixed(2)(r.cpuPerImageMs), metric: 'cpuPerImageMs' },
  { head: 'loop p99 ms', cell: (r) => fixed(1)(r.loopP99Ms), metric: 'loopP99Ms' },
]

/** The table as text: a header, a rule, a row per (scenario, server), then the scenarios and the targets. */
export function formatTable(rows: Row[], scenarios: Scenario[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => withMark(row, column)))
  const widths = COLUMNS.map((column, i) =>
    Math.max(column.head.length, ...cells.map((line) => line[i]?.length ?? 0)),
  )
  const line = (values: string[]) =>
    values
      .map((value, i) => (i < 2 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join('  ')
  const legend = scenarios.map((s) => {
    const targets = targetsOf(s.id).map((t) => t.label)
    return `  (${s.id}) ${s.title}; targets: ${targets.join(', ')}`
  })
  return [
    line(COLUMNS.map((column) => column.head)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
    '',
    `Scenarios (✓/✗: ${CHECKED_SERVER} rows against the issue's targets; baseline = the Go proxy's algorithm):`,
    ...legend,
  ].join('\n')
}

function withMark(row: Row, column: Column): string {
  const text = column.cell(row)
  if (!column.metric || row.server !== CHECKED_SERVER) return text
  const target = targetsOf(row.scenario).find((t) => t.metric === column.metric)
  if (!target) return text
  return `${text} ${meets(target, row[column.metric] as number) ? '✓' : '✗'}`
}
