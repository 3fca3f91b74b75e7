/** The engine's record of one job. */
import type { GenerateRequest, JobStatus, Worker } from '@akashgen/client/contract'
import type { GatewayError } from '../errors.ts'

/** Everything the engine knows about a job. Stores keep these; surfaces only ever see `toJobView`. */
export interface JobRecord {
  id: string
  request: GenerateRequest
  status: JobStatus
  queuePosition: number
  worker: Worker | null
  createdAt: number
  /** When a gateway slot was taken (the job left the gateway's own queue). */
  startedAt?: number
  finishedAt?: number
  upstreamJobId?: string
  /** The upstream's image reference, kept so an evicted image can be fetched again. */
  upstreamResult?: string
  upstreamElapsedS?: number
  error?: GatewayError
  contentType?: string
}
