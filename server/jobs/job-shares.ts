/** The per-client job cap: a job counts against its client's share from acceptance until it is final. */
import type { Logger } from 'pino'
import { type ClientShares, clientLimit } from './client-shares.ts'
import type { JobRecord } from './job-record.ts'

/** What the cap needs to know. */
export interface JobSharesOptions {
  /** Jobs one client may hold; 0 is no cap. */
  max: number
  jobTimeoutMs: number
  /** Seconds until one of the client's jobs is likely done, for Retry-After. */
  retryAfterS(): number
  logger: Logger
}

/** Takes and gives back jobs' places in their clients' shares. */
export class JobShares {
  readonly #shares: ClientShares
  readonly #options: JobSharesOptions

  constructor(shares: ClientShares, options: JobSharesOptions) {
    this.#shares = shares
    this.#options = options
  }

  /** Counts a new job against its client; CLIENT_LIMIT (naming the variable) when the client holds all of it. */
  async take(job: JobRecord): Promise<void> {
    const { max, jobTimeoutMs, retryAfterS } = this.#options
    if (job.client === undefined || max === 0) return
    // At its deadline a job is final whatever happened to the replica running it: it stops counting then.
    if (await this.#shares.takeJob(job.client, job.id, job.createdAt + jobTimeoutMs, max)) return
    throw clientLimit('AKASHGEN_MAX_JOBS_PER_CLIENT', max, retryAfterS())
  }

  /** Gives a job's place back (it is final, or was refused); idempotent. */
  release(job: JobRecord): void {
    if (job.client === undefined || this.#options.max === 0) return
    void this.#shares.releaseJob(job.client, job.id).catch((error: unknown) => {
      // Not lost: the next check at the cap drops jobs that are final, and every job at its deadline.
      this.#options.logger.warn({ err: error, jobId: job.id }, 'could not release a client share')
    })
  }
}
