/** The command line of `akashgen`: flags and environment turned into one request, checked against the contract. */
import { parseArgs } from 'node:util'
import { GenerateInput } from '@akashgen/contract'
import { z } from 'zod'

/** The gateway `--url` falls back to when neither the flag nor AKASHGEN_URL is set. */
export const DEFAULT_URL = 'http://localhost:6571'

/** What to generate and how: the parsed form of a valid command line. */
export interface GenerateCommand {
  kind: 'generate'
  input: GenerateInput
  /** `-` for stdout, a path, or undefined to pick a name from the prompt and the job. */
  output: string | undefined
  url: string
  apiKey: string | undefined
  json: boolean
  timeoutMs: number | undefined
}

/** What the command line asked for. */
export type CliCommand = { kind: 'help' } | { kind: 'version' } | GenerateCommand

/** A command line that cannot run: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

const FLAGS = {
  output: { type: 'string', short: 'o' },
  negative: { type: 'string' },
  sampler: { type: 'string' },
  scheduler: { type: 'string' },
  gpu: { type: 'string' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  webhook: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const

/** Parses argv (without node and the script) and the environment; throws UsageError for anything invalid. */
export function parseCommandLine(argv: string[], env: Record<string, string | undefined>): CliCommand {
  const { values, positionals } = parseFlags(argv)
  if (values.help) return { kind: 'help' }
  if (values.version) return { kind: 'version' }
  if (positionals.length > 1) {
    throw new UsageError(`give the prompt as one argument, in quotes: akashgen "${positionals.join(' ')}"`)
  }
  const input: GenerateInput = {
    prompt: positionals[0] as string,
    ...(values.negative === undefined ? {} : { negative: values.negative }),
    ...(values.sampler === undefined ? {} : { sampler: values.sampler }),
    ...(values.scheduler === undefined ? {} : { scheduler: values.scheduler }),
    // `--gpu RTX4090,A100`: the contract checks each name, so a typo is refused like a bad sampler.
    ...(values.gpu === undefined ? {} : { preferredGpu: values.gpu.split(',').map((name) => name.trim()) }),
    ...(values.webhook === undefined ? {} : { webhook: { url: values.webhook } }),
  }
  const checked = GenerateInput.safeParse(input)
  if (!checked.success) throw new UsageError(invalidRequestMessage(checked.error))
  if (values.json && values.output === '-') {
    throw new UsageError('--json and -o - both write to stdout: choose one')
  }
  return {
    kind: 'generate',
    input,
    output: values.output,
    url: gatewayUrl(values.url ?? env.AKASHGEN_URL ?? DEFAULT_URL),
    apiKey: values['api-key'] ?? (env.AKASHGEN_API_KEY || undefined),
    json: values.json ?? false,
    timeoutMs: values.timeout === undefined ? undefined : timeoutMs(values.timeout),
  }
}

/** Contract fields whose flag has another name: a refusal names what the user typed. */
const FLAG_OF_FIELD: Record<string, string> = { preferredGpu: '--gpu' }

/** The message the gateway gives a request that fails the contract, so both read the same, flags named as typed. */
function invalidRequestMessage(error: z.ZodError): string {
  const { formErrors, fieldErrors } = z.flattenError(error)
  const problems = [
    ...formErrors,
    ...Object.entries(fieldErrors as Record<string, string[] | undefined>).flatMap(([field, messages]) => {
      const flag = FLAG_OF_FIELD[field]
      return (messages ?? []).map((message) => (flag ? message.replace(field, flag) : message))
    }),
  ]
  return `invalid request: ${problems.join('; ')}`
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

function gatewayUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new UsageError(`--url must be an http(s) URL, got "${value}"`)
  }
  return value
}

function timeoutMs(value: string): number {
  const seconds = Number(value)
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout must be a number of seconds above 0, got "${value}"`)
  }
  return Math.round(seconds * 1000)
}
