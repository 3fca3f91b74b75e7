/** Following jobs as they change, on any replica: the final state, and the event log with resume. */
import { isFinalStatus } from '@akashgen/contract'
import type { Logger } from 'pino'
import type { JobEventRecord, JobRecord } from './job-record.ts'
import { JobWatchers } from './job-watchers.ts'

/** How the feed reads records: `require` throws NOT_FOUND for an unknown job, `read` answers undefined. */
export interface FeedReads {
  require(jobId: string): Promise<JobRecord>
  read(jobId: string): Promise<JobRecord | undefined>
}

/** Hands the store's changes to whoever follows a job here. */
export class JobFeed {
  readonly #watchers = new JobWatchers()
  readonly #reads: FeedReads
  readonly #logger: Logger

  constructor(reads: FeedReads, logger: Logger) {
    this.#reads = reads
    this.#logger = logger
  }

  /** Whether someone here follows the job (only then is a changed record worth reading). */
  watches(jobId: string): boolean {
    return this.#watchers.has(jobId)
  }

  /** Takes a changed record from the store. */
  changed(job: JobRecord): void {
    this.#watchers.notify(job)
  }

  /** Resolves with the record once the job is final; rejects with the signal's reason if `signal` aborts first. */
  async final(jobId: string, signal?: AbortSignal): Promise<JobRecord> {
    const subscription = this.#watchers.subscribe(jobId, true)
    try {
      const job = await this.#reads.require(jobId)
      return isFinalStatus(job.status) ? job : await subscription.next(signal)
    } finally {
      subscription.close()
    }
  }

  /**
   * The job's events after `afterSeq`, then each new one as it happens, ending with the final one. A resume
   * with the last id seen gets exactly what it missed. Ends early (without error) when `signal` aborts.
   */
  async *events(jobId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<JobEventRecord> {
    const subscription = this.#watchers.subscribe(jobId)
    try {
      let job = await this.#reads.require(jobId)
      let seen = afterSeq
      for (;;) {
        for (const event of job.events) {
          if (event.seq <= seen) continue
          seen = event.seq
          yield event
        }
        if (isFinalStatus(job.status) || signal.aborted) return
        // next() rejects only when `signal` aborts, and then the events end quietly, as documented above.
        const next = await subscription.next(signal).catch(() => undefined)
        if (!next) return
        job = next
      }
    } finally {
      subscription.close()
    }
  }

  /** Re-reads the followed jobs after the store may have missed telling us of changes (it reconnected). */
  async resync(): Promise<void> {
    for (const jobId of this.#watchers.watchedIds()) {
      const job = await this.#reads.read(jobId).catch((error: unknown) => {
        this.#logger.warn({ err: error, jobId }, 'a followed job could not be re-read; its followers wait on')
        return undefined
      })
      if (job) this.#watchers.notify(job)
    }
  }
}
