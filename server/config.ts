/** The gateway's configuration: one zod schema over the environment, read once at start-up (see server/config/). */
export { ConfigError, loadConfig, withoutCredentials } from './config/load.ts'
export { type Config, ConfigSchema, maxJobsPerClient } from './config/schema.ts'
