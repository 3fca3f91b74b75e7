/** Runs one job that holds an upstream slot: its deadline, stop requests, the upstream run, its outcome. */
import { isFinalStatus } from '@akashgen/contract'
import type { Logger } from 'pino'
import { GatewayError, toGatewayError } from '../errors.ts'
import type { StatusPoller } from '../polling/status-poller.ts'
import type { UpstreamClient } from '../upstream/client.ts'
import type { JobObserver } from './engine-types.ts'
import { recordEvent } from './job-record.ts'
import type { RecordWriter } from './record-writer.ts'
import { statusFor } from './record-writer.ts'
import { recordingHooks, runUpstreamJob } from './run-upstream-job.ts'
import type { JobStore } from './store.ts'

/** What the runner works with. */
export interface JobRunnerDeps {
  store: JobStore
  writer: RecordWriter
  upstream: UpstreamClient
  poller: StatusPoller
  logger: Logger
  jobTimeoutMs: number
  /** Called when a job took its slot, so the places of those still waiting move up. */
  onStarted(): void
  /** Called when a job stopped running here, however it ended. */
  onEnded(): void
  observer?: JobObserver
}

/** The reason a job is aborted when this process hands it over (shutdown with a shared store): not an outcome. */
export const HANDOVER = new Error('the job is handed over to another replica')

/** The JOB_TIMEOUT error of a job whose deadline passed. */
export function deadlineError(jobTimeoutMs: number): GatewayError {
  return new GatewayError('JOB_TIMEOUT', `job did not finish within ${jobTimeoutMs} ms`, {
    details: { timeoutMs: jobTimeoutMs },
  })
}

/** Runs jobs in this process and can stop them. */
export class JobRunner {
  readonly #deps: JobRunnerDeps
  readonly #running = new Map<string, AbortController>()
  readonly #runs = new Map<string, Promise<void>>()

  constructor(deps: JobRunnerDeps) {
    this.#deps = deps
  }

  /** Ids of the jobs this process is running. */
  ids(): string[] {
    return [...this.#running.keys()]
  }

  /** Stops a job this process runs with `reason`; false when it does not run it. */
  abort(jobId: string, reason: unknown): boolean {
    const controller = this.#running.get(jobId)
    controller?.abort(reason)
    return controller !== undefined
  }

  /**
   * Runs the job to its final state (the queue holds its slot until this settles). A job a dead replica had
   * started is resumed where it was; one whose deadline passed, or that was asked to stop, ends at once.
   */
  run(jobId: string): Promise<void> {
    // The queue may hand back a job this process still runs (its hold lapsed during a Redis outage).
    const current = this.#runs.get(jobId)
    if (current) return current
    const running = this.#run(jobId).finally(() => this.#runs.delete(jobId))
    this.#runs.set(jobId, running)
    return running
  }

  async #run(jobId: string): Promise<void> {
    const { store, writer, jobTimeoutMs, logger, observer } = this.#deps
    const controller = new AbortController()
    this.#running.set(jobId, controller)
    let timer: NodeJS.Timeout | undefined
    /** When the upstream run ended, however it ended. */
    let upstreamEndedAt = 0
    try {
      const job = await store.get(jobId)
      if (!job || isFinalStatus(job.status)) return
      const now = Date.now()
      timer = setTimeout(
        () => controller.abort(deadlineError(jobTimeoutMs)),
        Math.max(0, job.createdAt + jobTimeoutMs - now),
      )
      // Registered before this check, so a stop asked for from now on reaches `controller` either way.
      const stop = await store.stopRequest(jobId)
      if (stop) controller.abort(stop)
      if (job.startedAt !== undefined) logger.warn({ jobId, upstreamJobId: job.upstreamJobId }, 'job resumed')
      const started = await writer.write(jobId, (current) => {
        if (isFinalStatus(current.status)) return false
        current.startedAt ??= now
        if (current.status === 'queued' && !current.upstreamJobId) current.queuePosition = 0
        return recordEvent(current, now) || current.startedAt === now
      })
      this.#deps.onStarted()
      if (!started || isFinalStatus(started.status)) return
      if (started.startedAt === now) observer?.started(started)
      controller.signal.throwIfAborted()
      const write = (mutate: Parameters<RecordWriter['write']>[1]) => void writer.write(jobId, mutate)
      const hooks = recordingHooks(jobId, write, logger)
      const { upstream, poller } = this.#deps
      const deadlineAt = job.createdAt + jobTimeoutMs
      const outcome = await runUpstreamJob(
        started,
        upstream,
        poller,
        hooks,
        controller.signal,
        deadlineAt,
      ).finally(() => {
        upstreamEndedAt = Date.now()
      })
      const finished = await writer.finish(jobId, 'succeeded', undefined, (current) => {
        current.upstreamResult = outcome.result
        current.upstreamElapsedS = outcome.elapsedS
        if (outcome.worker) current.worker = outcome.worker
      })
      if (finished) observer?.upstreamFinished(finished, upstreamEndedAt)
    } catch (thrown) {
      const reason = controller.signal.aborted ? controller.signal.reason : thrown
      // A handed-over job stays unfinished: the queue gives it to another replica.
      if (reason === HANDOVER) return new Promise<void>(() => {})
      const error = toGatewayError(reason)
      const finished = await writer.finish(jobId, statusFor(error), error)
      // The upstream said the job failed: it finished there too.
      if (finished && error.code === 'JOB_FAILED') observer?.upstreamFinished(finished, upstreamEndedAt)
    } finally {
      clearTimeout(timer)
      this.#running.delete(jobId)
      this.#deps.onEnded()
    }
  }
}
