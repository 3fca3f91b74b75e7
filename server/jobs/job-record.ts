/** The engine's record of one job, with the log of its visible changes. */
import type { ErrorCode, GenerateRequest, JobStatus, Worker } from '@akashgen/contract'
import type { GatewayError } from '../errors.ts'
import type { JobWebhookRecord } from '../webhooks/record.ts'

/** One visible change of a job: what `jobEvents` replays and streams. `seq` is the event id. */
export interface JobEventRecord {
  seq: number
  at: number
  status: JobStatus
  queuePosition: number
  worker: Worker | null
  error?: { code: ErrorCode; message: string }
}

/** Everything the engine knows about a job. Stores keep these; surfaces only ever see views of them. */
export interface JobRecord {
  id: string
  request: GenerateRequest
  /** The digest of the API key that made the job (`key:<digest>`, never the key); unset in open mode. */
  owner?: string
  /** Whose fair share the job counts against until it is final: its key, or its caller's address. */
  client?: string
  status: JobStatus
  queuePosition: number
  worker: Worker | null
  createdAt: number
  /** When a gateway slot was taken (the job left the gateway's own queue). */
  startedAt?: number
  finishedAt?: number
  upstreamJobId?: string
  /** The upstream's image reference: where the image is fetched from, as often as needed. */
  upstreamResult?: string
  upstreamElapsedS?: number
  error?: GatewayError
  events: JobEventRecord[]
  /** The webhook the job was submitted with and its deliveries (webhooks/). */
  webhook?: JobWebhookRecord
}

/** Most events kept per job; a long wait in line could otherwise log one per place. */
const MAX_EVENTS_PER_JOB = 200

/** Appends an event when the job's status, place or worker changed since the last one; true when it did. */
export function recordEvent(job: JobRecord, now: number): boolean {
  const last = job.events.at(-1)
  if (
    last &&
    last.status === job.status &&
    last.queuePosition === job.queuePosition &&
    last.worker?.name === job.worker?.name
  ) {
    return false
  }
  const error = job.error ? { code: job.error.code, message: job.error.toBody().error } : undefined
  const event = {
    seq: (last?.seq ?? 0) + 1,
    at: now,
    status: job.status,
    queuePosition: job.queuePosition,
    worker: job.worker,
  }
  job.events.push(error ? { ...event, error } : event)
  // Keep the first event and the newest ones: a resume from an id that fell out still gets the latest state.
  if (job.events.length > MAX_EVENTS_PER_JOB) job.events.splice(1, 1)
  return true
}
