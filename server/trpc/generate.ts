/** `generate`: accept a job and answer at once with its id; progress comes from `jobStatus`. */
import { GenerateAccepted, GenerateInput } from '@akashgen/client/contract'
import { publicProcedure } from './init.ts'

export const generateProcedure = publicProcedure
  .input(GenerateInput)
  .output(GenerateAccepted)
  .mutation(async ({ ctx, input }) => {
    const job = await ctx.services.engine.submit(input)
    return { jobId: job.id, status: job.status, queuePosition: job.queuePosition }
  })
