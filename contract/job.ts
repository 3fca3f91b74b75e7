/** The job view: what every surface reports about a job, from acceptance to its final state. */
import { z } from 'zod'
import { ErrorCode } from './errors.ts'
import { JobWebhook } from './webhook.ts'

/** A job's state. `queued` waits for a gateway slot or an upstream worker; the last four are final. */
export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'])
export type JobStatus = z.infer<typeof JobStatus>

/** The states a job never leaves. */
export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out']

/** True when the job will not change any more. */
export const isFinalStatus = (status: JobStatus): boolean => FINAL_STATUSES.includes(status)

/** The upstream worker that took the job (fields are empty strings when the upstream did not say). */
export const Worker = z.object({
  name: z.string(),
  city: z.string(),
  country: z.string(),
  gpu: z.string(),
})
export type Worker = z.infer<typeof Worker>

/** A job as the gateway reports it. Times are ISO 8601 strings so every surface carries the same shape. */
export const Job = z.object({
  jobId: z.string(),
  status: JobStatus,
  /** Place in line: the gateway's queue while waiting for a slot, then the upstream's; 0 once running. */
  queuePosition: z.number().int().nonnegative(),
  worker: Worker.nullable(),
  /** Time since the job was accepted by the gateway, or its whole duration once final. */
  elapsedMs: z.number().nonnegative(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  /** Where the image can be downloaded from this gateway, once succeeded and while retained. */
  imageUrl: z.string().optional(),
  error: z.object({ code: ErrorCode, message: z.string() }).optional(),
  /** The webhook the job was submitted with, and each delivery's outcome so far. */
  webhook: JobWebhook.optional(),
})
export type Job = z.infer<typeof Job>

/** What `generate` answers at once. */
export const GenerateAccepted = Job.pick({ jobId: true, status: true, queuePosition: true })
export type GenerateAccepted = z.infer<typeof GenerateAccepted>

/** A job id as the gateway issues them (`randomUUID()`): a UUID in its canonical 8-4-4-4-12 hex form. */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The input of `jobStatus`, `cancel` and (extended) `jobEvents`. The id is checked before any use, so nothing
 * else (`../`, `%2F`, a newline) ever reaches a lookup, a log line or a URL.
 */
export const JobIdInput = z.strictObject(
  {
    jobId: z
      .string({ error: 'jobId must be a string' })
      .regex(JOB_ID_PATTERN, { error: 'jobId must be a job id as the gateway issues them: a UUID' }),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k.slice(0, 60)}"`).join(', ')}`
        : 'the input must be an object with a "jobId"',
  },
)
export type JobIdInput = z.infer<typeof JobIdInput>
