// The bench's command line: --smoke, --only a,c,f, --no-baseline, --help.
import { parseArgs } from 'node:util'
import { SCENARIO_IDS } from './scenarios.ts'

/** What one `npm run bench` run should do. */
export interface BenchOptions {
  smoke: boolean
  only: string[] | undefined
  baseline: boolean
}

/** Usage text for --help and for bad flags. */
export const USAGE = `Usage: npm run bench -- [--smoke] [--only a,b,c,d,f] [--no-baseline]
  --smoke        every scenario for about 2 s with small counts (what CI runs)
  --only <ids>   run only these scenarios, e.g. --only a,c (f: idle RSS and time to ready of the bundle;
                 a-growing, a-absent, b-growing, b-absent: (a) and (b) with that elapsed_time mode;
                 b-steady: (b) after 30 s of load, where the CPU target is measured)
  --no-baseline  skip the baseline (the Go proxy's algorithm); only the gateway is measured`

/** Parses argv (without node and script); throws an Error with a one-line message for a bad flag. */
export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return 'help'
  const only = values.only?.split(',').map((id) => id.trim().toLowerCase())
  const unknown = only?.filter((id) => !SCENARIO_IDS.includes(id)) ?? []
  if (unknown.length > 0)
    throw new Error(`--only takes scenario ids ${SCENARIO_IDS.join(', ')}; not ${unknown.join(', ')}`)
  return { smoke: values.smoke, only, baseline: !values['no-baseline'] }
}
