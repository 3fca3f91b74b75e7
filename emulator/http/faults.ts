// Plays the fault configured for an endpoint: late, hung, reset, error-status, malformed or hostile answers.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { STATUS_CODES } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import { sendGzipBomb, sendHugeJson } from './hostile-body.ts'
import { sendJson, sendRaw } from './respond.ts'

/** The endpoints a fault can target. */
export type FaultEndpoint = 'submit' | 'status' | 'image'

/** Plays the endpoint's fault, if any; resolves true when the fault has taken the request over. */
export async function playFault(
  ctx: EmulatorContext,
  endpoint: FaultEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const faults = ctx.options().faults
  const fault = faults[endpoint]
  if (!fault) return false
  // A probabilistic fault skips most requests; only the ones it plays count towards `times`.
  if (fault.probability !== undefined && Math.random() >= fault.probability) return false
  if (fault.times !== undefined) {
    fault.times--
    if (fault.times <= 0) delete faults[endpoint]
    if (fault.times < 0) return false
  }
  if (fault.delayMs) await ctx.timers.sleep(fault.delayMs)
  // A hung request gets no answer at all; close() destroys its socket.
  if (fault.hang) return true
  if (fault.reset) {
    req.socket.destroy()
    return true
  }
  if (fault.status) {
    const headers: Record<string, string> = fault.status === 429 ? { 'retry-after': '1' } : {}
    sendJson(res, fault.status, { error: STATUS_CODES[fault.status] ?? `HTTP ${fault.status}` }, headers)
    return true
  }
  // Images have their own hostile bodies (nonImage, oversizedImageBytes): these two are for JSON endpoints.
  if (endpoint !== 'image' && fault.gzipBombBytes) {
    await sendGzipBomb(res, fault.gzipBombBytes)
    return true
  }
  if (endpoint !== 'image' && fault.hugeJsonBytes) {
    await sendHugeJson(res, fault.hugeJsonBytes)
    return true
  }
  if (fault.malformed) {
    if (endpoint === 'image') sendRaw(res, 200, 'text/html; charset=utf-8', '<html><body>Oops</body></html>')
    else sendRaw(res, 200, 'application/json; charset=utf-8', '{"job_id": "4f0c')
    return true
  }
  return false
}
