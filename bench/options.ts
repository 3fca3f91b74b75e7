// The bench's command line: --smoke, --only a,c,f, --no-baseline, --node <binary>, --help.
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { SCENARIO_IDS } from './scenarios.ts'

/** What one `npm run bench` run should do. */
export interface BenchOptions {
  smoke: boolean
  only: string[] | undefined
  baseline: boolean
  /** The Node.js binary the servers under test run on, and its version (`--node`; default: the bench's own). */
  serverNode: { path: string; version: string }
}

/** Usage text for --help and for bad flags. */
export const USAGE = `Usage: npm run bench -- [--smoke] [--only a,b,c,d,f] [--no-baseline] [--node <binary>]
  --smoke        every scenario for about 2 s with small counts (what CI runs)
  --only <ids>   run only these scenarios, e.g. --only a,c (f: idle RSS and time to ready of the bundle;
                 a-growing, a-absent, b-growing, b-absent: (a) and (b) with that elapsed_time mode;
                 b-steady: (b) after 30 s of load, where the CPU target is measured)
  --no-baseline  skip the baseline (the Go proxy's algorithm); only the gateway is measured
  --node <path>  run the servers under test (gateway, baseline, bare Fastify) on this Node.js binary, e.g. the
                 Docker image's Node 24; the emulator and the load generator stay on the bench's own`

/** Parses argv (without node and script); throws an Error with a one-line message for a bad flag. */
export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      node: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return 'help'
  const only = values.only?.split(',').map((id) => id.trim().toLowerCase())
  const unknown = only?.filter((id) => !SCENARIO_IDS.includes(id)) ?? []
  if (unknown.length > 0)
    throw new Error(`--only takes scenario ids ${SCENARIO_IDS.join(', ')}; not ${unknown.join(', ')}`)
  const serverNode = values.node
    ? { path: values.node, version: nodeVersion(values.node) }
    : { path: process.execPath, version: process.version }
  return { smoke: values.smoke, only, baseline: !values['no-baseline'], serverNode }
}

/** The version a Node.js binary reports; throws when it is not one. */
function nodeVersion(path: string): string {
  let printed: string
  try {
    printed = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim()
  } catch (error) {
    throw new Error(
      `--node takes a Node.js binary; ${path} did not run (${(error as Error).message.split('\n')[0]})`,
    )
  }
  if (!/^v\d+\.\d+\.\d+/.test(printed))
    throw new Error(`--node takes a Node.js binary; ${path} printed ${printed}`)
  return printed
}
