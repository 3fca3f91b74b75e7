/** Parses AkashGen status answers: every known shape and status vocabulary, tolerant of drift. */
import type { Worker } from '@akashgen/contract'
import {
  failureReason,
  MAX_STATUS_WORD_CHARS,
  MAX_UPSTREAM_JOB_ID_CHARS,
  upstreamText,
  workerField,
} from './limits.ts'

/** Where a job stands upstream, in the gateway's words. `unknown` is a status word we have never seen. */
export type UpstreamPhase = 'waiting' | 'running' | 'succeeded' | 'failed' | 'unknown'

/** One job as the upstream reported it. */
export interface UpstreamJobState {
  jobId: string
  phase: UpstreamPhase
  /** The upstream's own status word, kept for logs and drift counting. */
  rawStatus: string
  /**
   * Image reference on success (kept whole: resolveImageReference refuses one too long), the reason on failure
   * (cleaned and cut, see limits.ts), '' while running.
   */
  result: string
  worker: Worker | null
  elapsedS: number
  queuePosition: number
}

/** The shapes a status answer has been seen in; anything but `array` counts as drift. */
export type StatusShape = 'array' | 'keyed' | 'statuses' | 'bare' | 'not-found-string'

/** A parsed status answer. Ids the upstream did not mention are simply absent from `jobs`. */
export interface StatusAnswer {
  shape: StatusShape
  jobs: Map<string, UpstreamJobState>
}

const PHASES: Record<string, UpstreamPhase> = {
  waiting: 'waiting',
  queued: 'waiting',
  pending: 'running',
  processing: 'running',
  running: 'running',
  in_progress: 'running',
  succeeded: 'succeeded',
  completed: 'succeeded',
  failed: 'failed',
  error: 'failed',
  cancelled: 'failed',
  canceled: 'failed',
  timeout: 'failed',
}

/** Maps an upstream status word to a phase; unknown words give `unknown` (keep polling, count drift). */
export function classifyStatus(word: string): UpstreamPhase {
  const key = word.trim().toLowerCase()
  // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
  return Object.hasOwn(PHASES, key) ? (PHASES[key] as UpstreamPhase) : 'unknown'
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
const number = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN
  return Number.isFinite(n) && n >= 0 ? n : 0
}
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Reads one status element; `fallbackId` is used when the element is keyed by id and lacks `job_id`. Every
 * string is bounded here (limits.ts); an element whose id is too long to be one of ours is left out.
 */
export function parseJobState(raw: unknown, fallbackId?: string): UpstreamJobState | undefined {
  if (!isRecord(raw)) return undefined
  const jobId = text(raw.job_id) || text(raw.id) || fallbackId || ''
  if (!jobId || jobId.length > MAX_UPSTREAM_JOB_ID_CHARS) return undefined
  const rawStatus = upstreamText(text(raw.status), MAX_STATUS_WORD_CHARS)
  const queuePosition = Math.floor(number(raw.queue_position))
  let phase = classifyStatus(rawStatus)
  // Era 1 used `pending` for both queued and running; a positive queue position says which.
  if (phase === 'running' && queuePosition > 0) phase = 'waiting'
  const worker = {
    name: workerField(text(raw.worker_name)),
    city: workerField(text(raw.worker_city)),
    country: workerField(text(raw.worker_country)),
    gpu: workerField(text(raw.worker_gpu)),
  }
  const hasWorker = Object.values(worker).some((v) => v !== '')
  return {
    jobId,
    phase,
    rawStatus,
    result: phase === 'failed' ? failureReason(text(raw.result)) : text(raw.result),
    worker: hasWorker ? worker : null,
    elapsedS: number(raw.elapsed_time),
    queuePosition: phase === 'waiting' ? queuePosition : 0,
  }
}

/** Parses a status answer body (already JSON-decoded); undefined when it has no recognisable shape. */
export function parseStatusAnswer(body: unknown): StatusAnswer | undefined {
  const jobs = new Map<string, UpstreamJobState>()
  const add = (list: unknown[]) => {
    for (const item of list) {
      const state = parseJobState(item)
      if (state) jobs.set(state.jobId, state)
    }
  }
  if (typeof body === 'string') {
    return /not found/i.test(body) ? { shape: 'not-found-string', jobs } : undefined
  }
  if (Array.isArray(body)) {
    add(body)
    return { shape: 'array', jobs }
  }
  if (!isRecord(body)) return undefined
  if (Array.isArray(body.statuses)) {
    add(body.statuses)
    return { shape: 'statuses', jobs }
  }
  if ('job_id' in body || 'status' in body) {
    add([body])
    return jobs.size > 0 ? { shape: 'bare', jobs } : undefined
  }
  for (const [key, value] of Object.entries(body)) {
    const state = parseJobState(value, key)
    if (state) jobs.set(state.jobId, state)
  }
  return jobs.size > 0 ? { shape: 'keyed', jobs } : undefined
}
