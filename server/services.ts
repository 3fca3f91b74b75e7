/** The long-lived parts of one gateway, built once and shared by every surface. */
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import type { JobBackend } from './jobs/backend.ts'
import type { JobEngine } from './jobs/engine.ts'
import type { UpstreamClient } from './upstream/client.ts'

/** What routes and procedures work with. */
export interface AppServices {
  config: Config
  engine: JobEngine
  /** Where jobs live, for health and readiness. */
  store: Pick<JobBackend, 'health'>
  upstream: UpstreamClient
  logger: Logger
  startedAt: number
}
