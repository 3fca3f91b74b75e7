// POST /api/generate: queues a job and answers its id, queue position and status.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import { reportedStatus } from '../jobs/record.ts'
import { playFault } from './faults.ts'
import { readBody, sendJson } from './respond.ts'
import { checkSubmitBody } from './submit-input.ts'

/** Answers a submission; every request reaching here counts as one submission, faulted or not. */
export async function submitRoute(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'Method not allowed' }, { allow: 'POST' })
  ctx.counters.submissions++
  if (await playFault(ctx, 'submit', req, res)) return
  let body: unknown
  try {
    body = JSON.parse(await readBody(req))
  } catch {
    return sendJson(res, 400, { error: 'Body must be JSON' })
  }
  const input = checkSubmitBody(body, ctx.options().unknownSampler)
  if (typeof input === 'string') return sendJson(res, 400, { error: input })
  const job = ctx.jobs.submit(input)
  sendJson(res, 200, {
    job_id: job.id,
    queue_position: ctx.jobs.queuePosition(job),
    status: reportedStatus(job, ctx.options().unknownStatus),
  })
}
