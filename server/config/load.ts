/** Reads the environment once at start-up; a bad value becomes one line that names it. */
import { configDocs } from './define.ts'
import { type Config, ConfigSchema } from './schema.ts'

/** A configuration error: its message is the one line printed before the process exits. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Name = keyof typeof ConfigSchema.shape

/** Variables whose values are secrets, never printed. */
function isSecret(name: string): boolean {
  const schema = ConfigSchema.shape[name as Name]
  return schema !== undefined && configDocs.get(schema)?.secret === true
}

/** Parses the environment; throws a ConfigError naming the first bad variable and what it must be. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    // Blank counts as unset: z.coerce.number() would read " " as 0, a random port or no queue at all.
    Object.keys(ConfigSchema.shape).map((key) => [key, env[key]?.trim() === '' ? undefined : env[key]]),
  )
  const parsed = ConfigSchema.safeParse(known)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const name = String(issue?.path[0] ?? 'configuration')
  const schema = ConfigSchema.shape[name as Name]
  const expected = (schema && configDocs.get(schema)?.must) ?? issue?.message
  // A key list is a secret: the line names the variable but never echoes its value.
  const shown = isSecret(name) ? ' (value hidden)' : `=${JSON.stringify(env[name])}`
  throw new ConfigError(`Invalid ${name}${shown}: must be ${expected}`)
}
