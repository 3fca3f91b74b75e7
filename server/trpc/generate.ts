/** `generate`: accept a job and answer at once with its id; progress comes from `jobStatus`. */
import { GenerateAccepted, GenerateInput } from '@akashgen/contract'
import { publicProcedure } from './init.ts'

/** Takes the request's `Idempotency-Key` header like the REST route: the same key and input, the same job. */
export const generateProcedure = publicProcedure
  .input(GenerateInput)
  .output(GenerateAccepted)
  .mutation(async ({ ctx, input }) => {
    const { engine, idempotency, webhooks } = ctx.services
    const admitted = await webhooks.admit(input, ctx.origin)
    const { jobs } = await idempotency.submit(
      { scope: 'trpc:generate', caller: ctx.caller, headers: ctx.headers, request: input },
      async () => [await engine.submit(admitted.request, ctx.caller, admitted.webhook)],
    )
    const [job] = jobs
    if (!job) throw new Error('a submission returned no job')
    return { jobId: job.id, status: job.status, queuePosition: job.queuePosition }
  })
