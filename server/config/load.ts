/** Reads the environment once at start-up; a bad value becomes one line that names it and never leaks a secret. */
import { configDocs } from './define.ts'
import { type Config, ConfigSchema } from './schema.ts'

/** A configuration error: its message is the one line printed before the process exits. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Name = keyof typeof ConfigSchema.shape

/** Names that hold secrets even when not marked so; a `_FILE` variable holds a path, which is safe to show. */
const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN/

/** Whether the variable's value must never be echoed. */
export function isSecret(name: string): boolean {
  const schema = ConfigSchema.shape[name as Name]
  const marked = schema !== undefined && configDocs.get(schema)?.secret === true
  return marked || (SECRET_NAME.test(name) && !name.endsWith('_FILE'))
}

/**
 * The value with the userinfo of any URL in it replaced by `***`: `redis://:hunter2@host` becomes
 * `redis://***@host`. Everything up to the last `@` goes, because a value that failed to parse may hold a
 * password with `/` or `@` in it, or no scheme at all.
 */
export function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z\d+.-]*:\/\/)?[\s\S]*@/i, '$1***@')
}

/** How the error line shows a value: a secret not at all, anything else without a URL's credentials. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return ''
  if (isSecret(name)) return ' (value hidden)'
  return `=${JSON.stringify(withoutCredentials(value))}`
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
  throw new ConfigError(`Invalid ${name}${shown(name, env[name])}: must be ${expected}`)
}
