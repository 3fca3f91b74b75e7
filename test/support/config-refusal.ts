/** The one line a refused environment stops start-up with, for configuration tests. */
import { ConfigError, loadConfig } from '../../server/config.ts'

/** The one line loadConfig refuses `env` with; fails the test when the environment was accepted. */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`)
}
