/** Builders for the gateway's variables: each bound, default and meaning is written once and read from there. */
import { z } from 'zod'

/** What the error line and the generated docs say about one variable. */
export interface VarDoc {
  /** One line: what the variable does. */
  meaning: string
  /** What a value must be, as the error line says it after "must be". */
  must: string
  /** The allowed values as the docs table shows them: `must`, less what unset means (the default column says). */
  allowed: string
  /** The default as the docs show it (`6571`, `300000 (5 min)`), or what leaving it unset does. */
  default: string
  /** Its value is a secret: never echoed, not even in an error line. */
  secret?: boolean
}

/** Every variable's doc, keyed by its schema (the value in ConfigSchema's shape). */
export const configDocs = z.registry<VarDoc>()

/** How an integer variable is read: the word in its "must be" text. */
type Unit = 'integer' | 'port' | 'milliseconds' | 'bytes'

interface IntVarOptions {
  min: number
  max: number
  meaning: string
  unit?: Unit
  /** What 0 means, when it means something other than the number (`no cap`). */
  zero?: string
}

const boundedInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
type BoundedInt = ReturnType<typeof boundedInt>

const UNIT_TEXT: Record<Unit, (range: string) => string> = {
  integer: (range) => `an integer ${range}`,
  port: (range) => `an integer port ${range}`,
  milliseconds: (range) => `milliseconds, ${range}`,
  bytes: (range) => `bytes, ${range}`,
}

/** `text (note; note)`, or `text` without notes. */
const noted = (text: string, notes: string[]) => (notes.length > 0 ? `${text} (${notes.join('; ')})` : text)

/** An integer read from the environment, within [min, max], with a default or a meaning for unset. */
export function intVar(options: IntVarOptions & { default: number }): z.ZodDefault<BoundedInt>
export function intVar(options: IntVarOptions & { unset: string }): z.ZodOptional<BoundedInt>
export function intVar(options: IntVarOptions & { default?: number; unset?: string }) {
  const number = boundedInt(options.min, options.max)
  // The text is read back from the schema's own checks, so the message can never drift from the bound.
  const unit = options.unit ?? 'integer'
  const bare = UNIT_TEXT[unit](`${number.minValue}-${number.maxValue}`)
  const zero = options.zero === undefined ? [] : [`0: ${options.zero}`]
  const doc = {
    meaning: options.meaning,
    must: noted(bare, options.unset === undefined ? zero : [...zero, `unset: ${options.unset}`]),
    allowed: noted(bare, zero),
  }
  if (options.default === undefined) {
    return documented(number.optional(), { ...doc, default: `unset: ${options.unset}` })
  }
  return documented(number.default(options.default), { ...doc, default: shownNumber(options.default, unit) })
}

interface TextVarOptions {
  /** What a value must be, after "must be". */
  must: string
  meaning: string
  secret?: boolean
}

/** A variable read by `schema` (a string in, any value out), with a default or a meaning for unset. */
export function textVar<T extends z.ZodType<string, string>>(
  schema: T,
  options: TextVarOptions & { default: string },
): z.ZodDefault<T>
export function textVar<T extends z.ZodType<unknown, string>>(
  schema: T,
  options: TextVarOptions & { unset: string },
): z.ZodOptional<T>
export function textVar(
  schema: z.ZodType<unknown, string>,
  options: TextVarOptions & { default?: string; unset?: string },
) {
  const doc = { meaning: options.meaning, must: options.must, allowed: options.must, secret: options.secret }
  if (options.default === undefined) {
    return documented(z.optional(schema), { ...doc, default: `unset: ${options.unset}` })
  }
  return documented(z._default(schema, options.default), { ...doc, default: `\`${options.default}\`` })
}

/** Registers `doc` for `schema` and hands the schema back, so a shape entry reads as one expression. */
function documented<S extends z.ZodType>(schema: S, doc: VarDoc): S {
  configDocs.add(schema, doc)
  return schema
}

/** One of a fixed list of words; the "must be" text lists them. */
export function enumVar<const T extends readonly [string, ...string[]]>(
  values: T,
  options: { default: T[number]; meaning: string },
) {
  const must = `one of ${values.join(', ')}`
  const doc = { meaning: options.meaning, must, allowed: must, default: `\`${options.default}\`` }
  return documented(z.enum(values).default(options.default), doc)
}

/** A switch: `true`/`1` or `false`/`0`. */
export function flagVar(options: { default: boolean; meaning: string }) {
  const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
  return documented(flag.default(options.default), {
    meaning: options.meaning,
    must: 'true or false',
    allowed: '`true` or `false` (`1` or `0`)',
    default: `\`${options.default}\``,
  })
}

/** A titled group of variables: the docs show one table per group. */
export interface ConfigGroup<T extends z.ZodRawShape = z.ZodRawShape> {
  title: string
  /** One or two sentences above the group's table. */
  about: string
  shape: T
}

/** Names a group of variables for the docs; ConfigSchema spreads every group's shape. */
export function configGroup<T extends z.ZodRawShape>(title: string, about: string, shape: T): ConfigGroup<T> {
  return { title, about, shape }
}

const DURATIONS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
]
const SIZES: [number, string][] = [
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
]

/** `300000 (5 min)`, `20971520 (20 MiB)`, `6571`: the exact number, and a reading of it when it is round. */
function shownNumber(value: number, unit: Unit): string {
  const steps = unit === 'milliseconds' ? DURATIONS : unit === 'bytes' ? SIZES : []
  const step = steps.find(([size]) => value >= size && value % size === 0)
  return step ? `\`${value}\` (${value / step[0]} ${step[1]})` : `\`${value}\``
}
