/** `jobStatus`: the `Job` view of one job, with an absolute image URL on this gateway once it succeeded. */
import { Job, JobIdInput } from '@akashgen/contract'
import { jobView } from '../jobs/job-view.ts'
import { publicProcedure } from './init.ts'

export const jobStatusProcedure = publicProcedure
  .input(JobIdInput)
  .output(Job)
  .query(async ({ ctx, input }) =>
    jobView(await ctx.services.engine.require(input.jobId, ctx.caller), ctx.origin),
  )
