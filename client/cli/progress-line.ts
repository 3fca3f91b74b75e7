/** A job's progress on stderr: one live line rewritten in place on a terminal, plain lines everywhere else. */
import type { Job, Worker } from '@akashgen/contract'

/** Where progress goes: process.stderr, or anything with `write` (and `isTTY`/`columns` when it is a terminal). */
export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

/** Follows one job: feed it every Job view, stop it once the job is over. */
export interface ProgressReporter {
  onStatus(job: Job): void
  stop(): void
}

/** How often the live line is redrawn, so its seconds keep counting between events. */
const TICK_MS = 200
/** Carriage return plus "erase the whole line": the live line is redrawn over itself. */
const REWRITE = '\r\x1b[2K'

/** The progress text for a job (undefined: not accepted yet): state, place in line, worker, seconds. */
export function describeProgress(job: Job | undefined, elapsedMs: number): string {
  const seconds = `${(elapsedMs / 1000).toFixed(1)}s`
  if (!job) return `submitting · ${seconds}`
  const parts: string[] = [job.status]
  if (job.status === 'queued') parts.push(`place ${job.queuePosition} in line`)
  if (job.worker) parts.push(describeWorker(job.worker))
  if (job.error) parts.push(job.error.code)
  parts.push(seconds)
  return parts.join(' · ')
}

/** The live line as written to a terminal: rewrites the current line, cut to the terminal's width. */
export function liveLine(text: string, columns: number | undefined): string {
  // A line longer than the terminal wraps, and "\r" would then only rewrite its last row.
  const fitted = columns && text.length >= columns ? text.slice(0, Math.max(columns - 1, 0)) : text
  return `${REWRITE}${fitted}`
}

/** A reporter drawing on `stream`: a live line when it is a terminal, else one line per event. */
export function createProgressReporter(
  stream: ProgressStream,
  now: () => number = Date.now,
): ProgressReporter {
  const startedAt = now()
  let job: Job | undefined
  if (!stream.isTTY) {
    return {
      onStatus(next) {
        if (!job) stream.write(`akashgen: job ${next.jobId}\n`)
        job = next
        stream.write(`akashgen: ${describeProgress(job, now() - startedAt)}\n`)
      },
      stop() {},
    }
  }
  const draw = () => stream.write(liveLine(describeProgress(job, now() - startedAt), stream.columns))
  draw()
  const ticker = setInterval(draw, TICK_MS)
  let stopped = false
  return {
    onStatus(next) {
      job = next
      draw()
    },
    stop() {
      if (stopped) return
      stopped = true
      clearInterval(ticker)
      draw()
      stream.write('\n')
    },
  }
}

function describeWorker(worker: Worker): string {
  const gpu = worker.gpu || worker.name || 'a worker'
  const place = [worker.city, worker.country].filter(Boolean).join(', ')
  return place ? `${gpu} in ${place}` : gpu
}
