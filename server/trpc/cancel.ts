/** `cancel`: stops a job that is not final yet and answers its `Job` view; a final job is left as it is. */
import { Job, JobIdInput } from '@akashgen/contract'
import { jobView } from '../jobs/job-view.ts'
import { publicProcedure } from './init.ts'

export const cancelProcedure = publicProcedure
  .input(JobIdInput)
  .output(Job)
  .mutation(async ({ ctx, input }) =>
    jobView(await ctx.services.engine.cancel(input.jobId, { caller: ctx.caller }), ctx.origin),
  )
