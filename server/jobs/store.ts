/** Where the engine keeps job records: the interface both stores fill (in memory here, Redis in redis/). */
import type { GatewayError } from '../errors.ts'
import type { JobRecord } from './job-record.ts'

/** What a store tells the engine: a record changed (on any replica), or someone asked to stop a job. */
export interface StoreListener {
  /**
   * The job's record changed; `record()` reads the new one. Every replica hears of every change, so reading
   * is left to listeners that care about this job.
   */
  changed(jobId: string, record: () => JobRecord): void
  stopRequested(jobId: string, error: GatewayError): void
  /** Changes may have been missed (the store reconnected): re-read what is watched. */
  resync(): void
}

/** Job records, shared by every replica that uses the same store. */
export interface JobStore {
  /** Stores a new record. */
  create(job: JobRecord): Promise<void>
  /** Drops a record that was never accepted (its admission was refused). */
  discard(jobId: string): Promise<void>
  get(jobId: string): Promise<JobRecord | undefined>
  /**
   * Applies `mutate` to the current record atomically (it may run again on a fresh copy when another replica
   * wrote in between) and tells every listener. `mutate` returns false when it changed nothing.
   * Resolves with the record as stored, or undefined when the record is gone.
   */
  update(jobId: string, mutate: (job: JobRecord) => boolean): Promise<JobRecord | undefined>
  /** Records a stop request that whichever replica runs the job acts on, even one that starts it later. */
  requestStop(jobId: string, error: GatewayError): Promise<void>
  /** The stop request for the job, if any. */
  stopRequest(jobId: string): Promise<GatewayError | undefined>
  /** One more (`+1`) or one fewer (`-1`) follower of the job here: a request waiting for it, an open stream. */
  follow(jobId: string, delta: 1 | -1): Promise<void>
  /** Followers of the job on every live replica: a caller's hang-up abandons a job only when this is 0. */
  followers(jobId: string): Promise<number>
  /** Number of records held. */
  size(): Promise<number>
  /** Drops records whose retention has passed; returns how many. */
  sweep(now: number): Promise<number>
  listen(listener: StoreListener): void
  close(): Promise<void>
}

/** An in-memory store for one process: records in a Map, changes told synchronously. */
export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, JobRecord>()
  readonly #stops = new Map<string, GatewayError>()
  readonly #followers = new Map<string, number>()
  readonly #retentionMs: number
  readonly #listeners: StoreListener[] = []

  constructor(options: { retentionMs: number }) {
    this.#retentionMs = options.retentionMs
  }

  async create(job: JobRecord): Promise<void> {
    this.#jobs.set(job.id, job)
  }

  async discard(jobId: string): Promise<void> {
    this.#jobs.delete(jobId)
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    return this.#jobs.get(jobId)
  }

  async update(jobId: string, mutate: (job: JobRecord) => boolean): Promise<JobRecord | undefined> {
    const job = this.#jobs.get(jobId)
    if (!job) return undefined
    if (mutate(job)) for (const listener of this.#listeners) listener.changed(jobId, () => job)
    return job
  }

  async requestStop(jobId: string, error: GatewayError): Promise<void> {
    if (!this.#jobs.has(jobId) || this.#stops.has(jobId)) return
    this.#stops.set(jobId, error)
    for (const listener of this.#listeners) listener.stopRequested(jobId, error)
  }

  async stopRequest(jobId: string): Promise<GatewayError | undefined> {
    return this.#stops.get(jobId)
  }

  async follow(jobId: string, delta: 1 | -1): Promise<void> {
    const count = (this.#followers.get(jobId) ?? 0) + delta
    if (count > 0) this.#followers.set(jobId, count)
    else this.#followers.delete(jobId)
  }

  async followers(jobId: string): Promise<number> {
    return this.#followers.get(jobId) ?? 0
  }

  async size(): Promise<number> {
    return this.#jobs.size
  }

  async sweep(now: number): Promise<number> {
    let dropped = 0
    for (const [id, job] of this.#jobs) {
      if (job.finishedAt !== undefined && now - job.finishedAt >= this.#retentionMs) {
        this.#jobs.delete(id)
        this.#stops.delete(id)
        dropped++
      }
    }
    return dropped
  }

  listen(listener: StoreListener): void {
    this.#listeners.push(listener)
  }

  async close(): Promise<void> {}
}
