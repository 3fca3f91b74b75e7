// /__emulator/*: counters, configuration, reset and the job list, for users driving the emulator out of process.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import { resetCounters } from '../counters.ts'
import { viewOf } from '../jobs/record.ts'
import { readBody, sendJson } from './respond.ts'

/** Answers a control request; configure takes a JSON patch of options and answers the options now in force. */
export async function controlRoute(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  const action = `${req.method} ${url.pathname.slice('/__emulator'.length)}`
  if (action === 'GET /counters') return sendJson(res, 200, ctx.counters)
  if (action === 'GET /jobs') {
    const unknownStatus = ctx.options().unknownStatus
    return sendJson(
      res,
      200,
      ctx.jobs.list().map((job) => viewOf(job, unknownStatus)),
    )
  }
  if (action === 'POST /reset') {
    resetCounters(ctx.counters)
    return sendJson(res, 200, ctx.counters)
  }
  if (action === 'POST /configure') {
    try {
      ctx.configure(JSON.parse(await readBody(req)))
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message })
    }
    return sendJson(res, 200, ctx.options())
  }
  sendJson(res, 404, { error: 'Not found' })
}
