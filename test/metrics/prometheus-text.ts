/** A small reader of the Prometheus text format, enough for the tests to look samples up by name and labels. */

/** One sample line: `name{label="value",...} number`. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** A scrape: every sample, plus the `# HELP` and `# TYPE` lines by metric name. */
export interface Scrape {
  samples: Sample[]
  help: Map<string, string>
  type: Map<string, string>
  /** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels?: Record<string, string>): number
  /** Whether any sample is named `name`. */
  has(name: string): boolean
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Parses the exposition text; throws on a line that is neither a comment nor a sample. */
export function parseMetrics(text: string): Scrape {
  const samples: Sample[] = []
  const help = new Map<string, string>()
  const type = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line)
    if (comment) {
      const [, kind, name = '', rest = ''] = comment
      ;(kind === 'HELP' ? help : type).set(name, rest)
      continue
    }
    const match = SAMPLE.exec(line)
    if (!match) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`)
    const [, name = '', labelText = '', value = ''] = match
    const labels: Record<string, string> = {}
    for (const [, key = '', raw = ''] of labelText.matchAll(LABEL))
      labels[key] = raw.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1')
    samples.push({ name, labels, value: Number(value) })
  }
  const matching = (name: string, labels: Record<string, string>) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  return {
    samples,
    help,
    type,
    value: (name, labels = {}) => matching(name, labels).reduce((sum, s) => sum + s.value, 0),
    has: (name) => samples.some((s) => s.name === name),
  }
}

/** Fetches and parses a gateway's `/metrics`. */
export async function scrape(gatewayUrl: string): Promise<Scrape> {
  const response = await fetch(`${gatewayUrl}/metrics`)
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`)
  return parseMetrics(await response.text())
}
