// Turns the CLI's flags (or their EMULATOR_* environment twins) into emulator options, with one-line errors.
import { parseArgs } from 'node:util'
import type {
  ElapsedTimeMode,
  EmulatorOptions,
  ImageFormat,
  ResultShape,
  UnknownSamplerMode,
} from '../options.ts'

/** What the command line asked for: help, options to start with, or a one-line error. */
export type CliRequest =
  | { kind: 'help' }
  | { kind: 'start'; options: Partial<EmulatorOptions> }
  | { kind: 'error'; message: string }

/** Usage text printed by --help. */
export const USAGE = `Usage: akashgen-emulator [flags]   (each flag also reads EMULATOR_<NAME>, e.g. EMULATOR_PORT)
  --port <n>            port to listen on (default 6572; 0 picks a free one)
  --host <name>         interface to bind (default 127.0.0.1)
  --queue-ms <n>        minimum time a job stays waiting (default 1000)
  --run-ms <n|min-max>  time a job runs on a worker (default 3000-6000)
  --workers <n>         jobs that can run at once (default 4)
  --era <1|2>           1: pending -> completed with a data URL; 2: waiting -> pending -> succeeded (default 2)
  --result-shape <s>    api-image-path | api-image-query | next-image | data-url | bare-path
  --fail-rate <0..1>    share of jobs that end failed (default 0)
  --image-format <f>    webp | png | jpeg (default webp)
  --image-size <n>      side of the square image in pixels (default 1024)
  --elapsed-time <m>    frozen | growing | absent: elapsed_time after a job ends (default frozen)
  --finished-ttl-ms <n> forget finished jobs (status 404, image gone) this long after they end (default never)
  --qualities <list>    the only q values /_next/image serves, e.g. 75 (Next 16's default; default any)
  --unknown-sampler <m> reject (400 at submit) | fail-job (queued, then failed) (default reject)
  --help                show this text`

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'queue-ms': { type: 'string' },
  'run-ms': { type: 'string' },
  workers: { type: 'string' },
  era: { type: 'string' },
  'result-shape': { type: 'string' },
  'fail-rate': { type: 'string' },
  'image-format': { type: 'string' },
  'image-size': { type: 'string' },
  'elapsed-time': { type: 'string' },
  'finished-ttl-ms': { type: 'string' },
  qualities: { type: 'string' },
  'unknown-sampler': { type: 'string' },
  help: { type: 'boolean' },
} as const

class FlagError extends Error {}

/** Parses argv (without node and script) and env; demo-friendly defaults: queue 1 s, runs of 3-6 s. */
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliRequest {
  try {
    const { values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false })
    if (values.help) return { kind: 'help' }
    const pick = (flag: Exclude<keyof typeof FLAGS, 'help'>): string | undefined =>
      values[flag] ?? env[`EMULATOR_${flag.toUpperCase().replaceAll('-', '_')}`]
    const options: Partial<EmulatorOptions> = {
      port: integer('port', pick('port') ?? '6572', 0, 65535),
      host: pick('host') ?? '127.0.0.1',
      queueMs: integer('queue-ms', pick('queue-ms') ?? '1000', 0),
      runMs: runMs(pick('run-ms') ?? '3000-6000'),
      workers: integer('workers', pick('workers') ?? '4', 1),
      era: oneOf('era', pick('era') ?? '2', ['1', '2']) === '1' ? 1 : 2,
      resultShape: oneOf<ResultShape>('result-shape', pick('result-shape') ?? 'api-image-path', [
        'api-image-path',
        'api-image-query',
        'next-image',
        'data-url',
        'bare-path',
      ]),
      failRate: fraction('fail-rate', pick('fail-rate') ?? '0'),
      imageFormat: oneOf<ImageFormat>('image-format', pick('image-format') ?? 'webp', [
        'webp',
        'png',
        'jpeg',
      ]),
      imageSize: integer('image-size', pick('image-size') ?? '1024', 8, 4096),
    }
    // Knobs added later are passed only when asked for, so the emulator's own defaults stay the one source.
    const elapsed = pick('elapsed-time')
    if (elapsed !== undefined)
      options.elapsedTime = oneOf<ElapsedTimeMode>('elapsed-time', elapsed, ['frozen', 'growing', 'absent'])
    const ttl = pick('finished-ttl-ms')
    if (ttl !== undefined) options.finishedTtlMs = integer('finished-ttl-ms', ttl, 0)
    const qualities = pick('qualities')
    if (qualities !== undefined) {
      options.qualities = qualities.split(',').map((q) => integer('qualities', q.trim(), 1, 100))
    }
    const unknownSampler = pick('unknown-sampler')
    if (unknownSampler !== undefined) {
      options.unknownSampler = oneOf<UnknownSamplerMode>('unknown-sampler', unknownSampler, [
        'reject',
        'fail-job',
      ])
    }
    return { kind: 'start', options }
  } catch (error) {
    if (error instanceof FlagError) return { kind: 'error', message: error.message }
    const first = (error as Error).message.split('\n')[0] ?? 'bad arguments'
    return { kind: 'error', message: `${first}; see --help for the flags` }
  }
}

function integer(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new FlagError(
      `--${flag} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`,
    )
  }
  return value
}

function runMs(text: string): number | [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text)
  const min = Number(match?.[1])
  const max = match?.[2] === undefined ? min : Number(match[2])
  if (!match || min > max)
    throw new FlagError('--run-ms must be milliseconds, a number or min-max such as 3000-6000')
  return min === max ? min : [min, max]
}

function fraction(flag: string, text: string): number {
  const value = Number(text)
  if (text.trim() === '' || !(value >= 0 && value <= 1))
    throw new FlagError(`--${flag} must be a number from 0 to 1`)
  return value
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) throw new FlagError(`--${flag} must be one of ${allowed.join(', ')}`)
  return text as T
}
