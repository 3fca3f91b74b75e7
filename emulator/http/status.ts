// GET /api/status?ids=a[,b...]: the nine-key status elements, in the configured answer shape.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import type { JobRecord } from '../jobs/record.ts'
import { reportedStatus } from '../jobs/record.ts'
import { playFault } from './faults.ts'
import { sendJson } from './respond.ts'

const FINAL_PHASES = new Set(['succeeded', 'failed'])

/** Answers a status request; unknown ids are 404 (or the old 200 string) alone, and left out of batches. */
export async function statusRoute(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  ctx.counters.statusRequests++
  const ids = (url.searchParams.get('ids') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '')
  ctx.counters.statusIdsAsked += ids.length
  if (await playFault(ctx, 'status', req, res)) return
  if (ids.length === 0) return sendJson(res, 400, { error: 'ids is required' })
  const options = ctx.options()
  const answered = options.batch === 'first-only' ? ids.slice(0, 1) : ids
  const known = answered.map((id) => ctx.jobs.find(id)).filter((job): job is JobRecord => isVisible(job, ctx))
  if (ids.length === 1 && known.length === 0) {
    if (options.notFound === 'string') return sendJson(res, 200, `Job not found: ${ids[0]}`)
    return sendJson(res, 404, { error: 'Job not found' })
  }
  if (options.emptyStatusArray) return sendJson(res, 200, [])
  const now = Date.now()
  const elements = known.map((job) => statusElement(ctx, job, now))
  sendJson(res, 200, shape(options.statusShape, elements))
}

// A just-submitted job is unknown for its first unknownForFirstPolls status requests.
function isVisible(job: JobRecord | undefined, ctx: EmulatorContext): job is JobRecord {
  if (!job) return false
  job.statusPolls++
  return job.statusPolls > ctx.options().unknownForFirstPolls
}

function statusElement(ctx: EmulatorContext, job: JobRecord, now: number) {
  if (FINAL_PHASES.has(job.phase)) job.firstReportedFinalAt ??= now
  const mode = ctx.options().elapsedTime
  const elapsedMs = (mode === 'growing' ? now : (job.finishedAt ?? now)) - job.submittedAt
  const element = {
    job_id: job.id,
    status: reportedStatus(job, ctx.options().unknownStatus),
    result: job.result,
    worker_name: job.worker?.name ?? '',
    worker_city: job.worker?.city ?? '',
    worker_country: job.worker?.country ?? '',
    worker_gpu: job.worker?.gpu ?? '',
    elapsed_time: Math.round(elapsedMs) / 1000,
    queue_position: ctx.jobs.queuePosition(job),
  }
  // JSON.stringify leaves an undefined key out, so the element has eight keys.
  if (mode === 'absent') return { ...element, elapsed_time: undefined }
  return element
}

function shape(statusShape: string, elements: Array<{ job_id: string }>): unknown {
  if (statusShape === 'keyed') return Object.fromEntries(elements.map((element) => [element.job_id, element]))
  if (statusShape === 'statuses') return { statuses: elements }
  if (statusShape === 'bare' && elements.length === 1) return elements[0]
  return elements
}
