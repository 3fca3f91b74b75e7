/** `jobEvents`: a job's events over SSE, each tracked by its id so a reconnect resumes exactly where it left off. */
import { JobEventsInput } from '@akashgen/contract'
import { tracked } from '@trpc/server'
import { GatewayError } from '../errors.ts'
import type { OpenStream } from '../http/sse.ts'
import type { JobRecord } from '../jobs/job-record.ts'
import { eventView } from '../jobs/job-view.ts'
import { publicProcedure, toTRPCError } from './init.ts'

/**
 * Replays the events after `lastEventId`, then streams each new one and ends after the final one (or when the
 * caller leaves, or the gateway shuts down). The job is followed while the subscription is open.
 */
export const jobEventsProcedure = publicProcedure.input(JobEventsInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  const { engine } = ctx.services
  // The procedure middleware only sees the generator being created; errors inside it are mapped here.
  let job: JobRecord
  let stream: OpenStream
  try {
    job = await engine.require(input.jobId, ctx.caller)
    stream = await ctx.streams.open(ctx.caller.id)
  } catch (error) {
    throw error instanceof GatewayError ? toTRPCError(error) : error
  }
  const unfollow = engine.follow(job.id)
  try {
    const stop = signal ? AbortSignal.any([signal, stream.signal]) : stream.signal
    for await (const event of engine.events(job.id, Number(input.lastEventId ?? 0), stop)) {
      yield tracked(String(event.seq), eventView(job, event, ctx.origin))
    }
  } finally {
    unfollow()
    stream.ended()
  }
})
