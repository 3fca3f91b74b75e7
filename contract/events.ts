/** Live progress: the events of one job, as the `jobEvents` subscription and `GET /api/jobs/:id/events` send them. */
import { z } from 'zod'
import { Job, JobIdInput, JobStatus } from './job.ts'

/** One change in a job: its new status (the event's type) and the whole view at that moment. */
export const JobEvent = z.object({ type: JobStatus, job: Job })
export type JobEvent = z.infer<typeof JobEvent>

/** Input of `jobEvents`: the job, and the id of the last event already seen when resuming. */
export const JobEventsInput = JobIdInput.extend({
  lastEventId: z
    .string({ error: 'lastEventId must be an event id (digits), given once' })
    .regex(/^\d{1,9}$/, { error: 'lastEventId must be an event id (digits)' })
    .nullish(),
})
export type JobEventsInput = z.infer<typeof JobEventsInput>
