/** Idempotent submission: one key and one request body map to the same jobs for 24 h, on every replica. */
import type { IncomingHttpHeaders } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import { GatewayError } from '../errors.ts'
import type { Caller } from '../jobs/job-access.ts'
import type { JobRecord } from '../jobs/job-record.ts'
import { fingerprint, idempotencyKeyOf, storageKey } from './key.ts'
import type { IdempotencyStore } from './store.ts'

/** How long a key keeps its jobs. */
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

/** How long a reservation stays pending: a replica that dies while submitting frees its key after this. */
const PENDING_TTL_MS = 30_000

/** How often a racing request looks whether the first one has its jobs yet. */
const RACE_POLL_MS = 20

/** What an idempotent submission needs to know of the request. */
export interface IdempotentSubmission {
  /** The surface and route, e.g. `rest:/api/generate`: a key is scoped to one. */
  scope: string
  /** Who submits: a key is that caller's own, and a replay only ever answers that caller's jobs. */
  caller: Caller
  headers: IncomingHttpHeaders
  /** The parsed request: what is compared, as a canonical hash. */
  request: unknown
}

/** The jobs of a submission, and whether they came from an earlier request with the same key. */
export interface SubmittedJobs {
  jobs: JobRecord[]
  replayed: boolean
}

/** Submits jobs once per `Idempotency-Key`; requests without the header are submitted as they come. */
export class Idempotency {
  readonly #store: IdempotencyStore
  /** Reads a job's record as `caller` (NOT_FOUND when unknown, expired, or not the caller's). */
  readonly #require: (jobId: string, caller: Caller) => Promise<JobRecord>
  readonly #logger: Logger

  constructor(
    store: IdempotencyStore,
    require: (jobId: string, caller: Caller) => Promise<JobRecord>,
    logger: Logger,
  ) {
    this.#store = store
    this.#require = require
    this.#logger = logger
  }

  /**
   * Runs `submit` unless the key was used before: the same body answers that request's jobs (a request racing
   * the first one waits for them), another body is IDEMPOTENCY_CONFLICT. A failed submit frees the key.
   */
  async submit(
    { scope, caller, headers, request }: IdempotentSubmission,
    submit: () => Promise<JobRecord[]>,
  ): Promise<SubmittedJobs> {
    const key = idempotencyKeyOf(headers)
    if (key === undefined) return { jobs: await submit(), replayed: false }
    const stored = storageKey(scope, caller.id, key)
    const print = fingerprint(request)
    const giveUpAt = Date.now() + PENDING_TTL_MS + 5000
    for (;;) {
      const held = await this.#store.reserve(stored, print, PENDING_TTL_MS)
      if (!held) return { jobs: await this.#submitReserved(stored, print, submit), replayed: false }
      if (held.fingerprint !== print)
        throw new GatewayError(
          'IDEMPOTENCY_CONFLICT',
          'this Idempotency-Key was already used with a different request: use a new key for a new request',
          { details: { header: 'Idempotency-Key' } },
        )
      if (held.jobIds) return { jobs: await this.#earlierJobs(held.jobIds, caller), replayed: true }
      if (Date.now() > giveUpAt)
        throw new GatewayError('INTERNAL', 'an Idempotency-Key stayed pending too long')
      await sleep(RACE_POLL_MS)
    }
  }

  async #submitReserved(
    stored: string,
    print: string,
    submit: () => Promise<JobRecord[]>,
  ): Promise<JobRecord[]> {
    let jobs: JobRecord[]
    try {
      jobs = await submit()
    } catch (error) {
      // The caller gets submit's error either way; a key left reserved frees itself after PENDING_TTL_MS.
      await this.#store
        .release(stored, print)
        .catch((releaseError: unknown) =>
          this.#logger.warn({ err: releaseError }, 'an Idempotency-Key stays reserved after a failed submit'),
        )
      throw error
    }
    const jobIds = jobs.map((job) => job.id)
    await this.#store.complete(stored, { fingerprint: print, jobIds }, IDEMPOTENCY_TTL_MS)
    return jobs
  }

  /** The earlier request's jobs; NOT_FOUND once they are past retention (the key outlives them). */
  async #earlierJobs(jobIds: string[], caller: Caller): Promise<JobRecord[]> {
    return Promise.all(
      jobIds.map((jobId) =>
        this.#require(jobId, caller).catch((error: unknown) => {
          if (!(error instanceof GatewayError) || error.code !== 'NOT_FOUND') throw error
          throw new GatewayError(
            'NOT_FOUND',
            `job ${jobId} of this Idempotency-Key has expired (jobs are kept AKASHGEN_RETENTION_MS after ` +
              'they end): send a new key to generate again',
            { details: { jobId, header: 'Idempotency-Key' } },
          )
        }),
      ),
    )
  }
}
