/** Who is waiting on which job: change notifications, the next change, and a job's final state. */
import { isFinalStatus } from '@akashgen/client/contract'
import type { JobRecord } from './job-record.ts'

type Watcher = (job: JobRecord) => void

/** Per-job listeners; a job's listeners are dropped once it is final, so nothing outlives a job. */
export class JobWatchers {
  readonly #byJob = new Map<string, Set<Watcher>>()

  /** Tells the job's listeners that it changed; once it is final, forgets them. */
  notify(job: JobRecord): void {
    for (const watcher of this.#byJob.get(job.id) ?? []) watcher(job)
    if (isFinalStatus(job.status)) this.#byJob.delete(job.id)
  }

  /** Resolves at the job's next change; rejects with the signal's reason if `signal` aborts first. */
  next(job: JobRecord, signal?: AbortSignal): Promise<JobRecord> {
    return this.#until(job, () => true, signal)
  }

  /** Resolves once `job` is final; rejects with the signal's reason if `signal` aborts first. */
  final(job: JobRecord, signal?: AbortSignal): Promise<JobRecord> {
    if (isFinalStatus(job.status)) return Promise.resolve(job)
    return this.#until(job, (changed) => isFinalStatus(changed.status), signal)
  }

  #until(job: JobRecord, done: (changed: JobRecord) => boolean, signal?: AbortSignal): Promise<JobRecord> {
    return new Promise((resolve, reject) => {
      const watchers = this.#byJob.get(job.id) ?? new Set()
      this.#byJob.set(job.id, watchers)
      const onAbort = () => {
        watchers.delete(watcher)
        reject(signal?.reason)
      }
      const watcher: Watcher = (changed) => {
        if (!done(changed)) return
        watchers.delete(watcher)
        signal?.removeEventListener('abort', onAbort)
        resolve(changed)
      }
      watchers.add(watcher)
      if (signal?.aborted) onAbort()
      else signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}
