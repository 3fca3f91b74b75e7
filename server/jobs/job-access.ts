/** Who may see a job: with API keys, only the key that made it; to anyone else it does not exist. */
import { GatewayError } from '../errors.ts'
import type { JobRecord } from './job-record.ts'

/** Who asks, as the surfaces know it (see http/security/caller.ts); the engine keeps only `id`. */
export interface Caller {
  /** `key:<digest>` for a verified API key, `ip:<address>` when the gateway is open. Never a raw key. */
  readonly id: string
  /** Whether `id` names an API key: jobs are then owned by it. */
  readonly keyed: boolean
}

/** Who reads a job, and until when: no `caller` is the gateway itself, which sees every job. */
export interface JobAccess {
  caller?: Caller
  signal?: AbortSignal
}

/** The owner a new job gets from its caller: the key's digest, or none in open mode (anyone may see it). */
export const ownerFor = (caller: Caller | undefined): string | undefined =>
  caller?.keyed ? caller.id : undefined

/**
 * Whether `caller` may see `job`. Unowned jobs (open mode) are everyone's; an owned one is only its key's.
 * No caller is the gateway itself (a sync route's own job, a hang-up's cancel): it sees every job.
 */
export const visibleTo = (job: JobRecord, caller: Caller | undefined): boolean =>
  job.owner === undefined || caller === undefined || caller.id === job.owner

/** NOT_FOUND for an unknown id, and the same for another key's job: nothing says that it exists. */
export const unknownJob = (jobId: string): GatewayError =>
  new GatewayError('NOT_FOUND', `job ${jobId} is unknown or has expired`, { details: { jobId } })
