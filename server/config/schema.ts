/** The gateway's configuration: one zod schema over the environment, built from the groups of variables. */
import { z } from 'zod'
import { jobs } from './jobs.ts'
import { listening } from './listening.ts'
import { openai } from './openai.ts'
import { processGroup } from './process.ts'
import { replicas } from './replicas.ts'
import { security } from './security.ts'
import { upstream } from './upstream.ts'
import { webhooks } from './webhooks.ts'

/** The groups in the order the docs show them. */
export const CONFIG_GROUPS = [
  listening,
  upstream,
  jobs,
  security,
  openai,
  webhooks,
  replicas,
  processGroup,
] as const

/** The environment variables the gateway reads, with their defaults. */
export const ConfigSchema = z.object({
  ...listening.shape,
  ...upstream.shape,
  ...jobs.shape,
  ...security.shape,
  ...openai.shape,
  ...webhooks.shape,
  ...replicas.shape,
  ...processGroup.shape,
})

/** The parsed configuration. */
export type Config = z.infer<typeof ConfigSchema>

/**
 * Jobs one client (an API key, or an address in open mode) may have queued or running at once; 0 is no cap.
 * Unset, it keeps any one client below a quarter of the slots and places: a burst from one leaves room for others.
 */
export function maxJobsPerClient(config: Config): number {
  const configured = config.AKASHGEN_MAX_JOBS_PER_CLIENT
  if (configured !== undefined) return configured
  return Math.max(1, Math.floor((config.AKASHGEN_MAX_CONCURRENT + config.AKASHGEN_MAX_QUEUE) / 4))
}
