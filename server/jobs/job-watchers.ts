/** Who is waiting on which job: subscriptions that hand over each job's newest record as changes arrive. */
import { isFinalStatus } from '@akashgen/contract'
import type { JobRecord } from './job-record.ts'

/** The newest sequence number a record carries; records only ever move forward. */
const lastSeq = (job: JobRecord): number => job.events.at(-1)?.seq ?? 0

/** One listener's view of one job: `next()` yields the newest record delivered since the previous call. */
export class JobSubscription {
  readonly jobId: string
  #latest: JobRecord | undefined
  #waiter: ((job: JobRecord) => void) | undefined
  readonly #onClose: () => void
  readonly #finalOnly: boolean

  constructor(jobId: string, onClose: () => void, finalOnly = false) {
    this.jobId = jobId
    this.#onClose = onClose
    this.#finalOnly = finalOnly
  }

  /**
   * Takes a changed record; an older one than already delivered (a late re-read) is ignored, and so is one
   * that is not final when only the final record is wanted.
   */
  deliver(job: JobRecord): void {
    if (this.#finalOnly && !isFinalStatus(job.status)) return
    if (this.#latest && lastSeq(job) < lastSeq(this.#latest)) return
    const waiter = this.#waiter
    if (waiter) {
      this.#waiter = undefined
      waiter(job)
    } else this.#latest = job
  }

  /** The next record delivered (or one delivered since the last call); rejects with the signal's reason. */
  next(signal?: AbortSignal): Promise<JobRecord> {
    const latest = this.#latest
    if (latest) {
      this.#latest = undefined
      return Promise.resolve(latest)
    }
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = () => {
        this.#waiter = undefined
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiter = (job) => {
        signal?.removeEventListener('abort', onAbort)
        resolve(job)
      }
    })
  }

  /** Stops listening; always call it (finally), so nothing outlives its caller. */
  close(): void {
    this.#waiter = undefined
    this.#onClose()
  }
}

/** Subscriptions per job. */
export class JobWatchers {
  readonly #byJob = new Map<string, Set<JobSubscription>>()

  /**
   * Starts listening to a job's changes (with `finalOnly`, only to its final record: a waiter for the end is
   * not woken by each step); subscribe before reading the record, so no change falls between.
   */
  subscribe(jobId: string, finalOnly = false): JobSubscription {
    const subscriptions = this.#byJob.get(jobId) ?? new Set()
    this.#byJob.set(jobId, subscriptions)
    const subscription = new JobSubscription(
      jobId,
      () => {
        subscriptions.delete(subscription)
        if (subscriptions.size === 0) this.#byJob.delete(jobId)
      },
      finalOnly,
    )
    subscriptions.add(subscription)
    return subscription
  }

  /** Hands the changed record to the job's subscriptions. */
  notify(job: JobRecord): void {
    for (const subscription of this.#byJob.get(job.id) ?? []) subscription.deliver(job)
  }

  /** Whether someone listens to the job. */
  has(jobId: string): boolean {
    return this.#byJob.has(jobId)
  }

  /** Ids of the jobs someone listens to. */
  watchedIds(): string[] {
    return [...this.#byJob.keys()]
  }
}
