/** Keeps the places of jobs waiting in line current in their records, one pass at a time. */
import { isFinalStatus } from '@akashgen/contract'
import type { Logger } from 'pino'
import type { JobQueue } from './job-queue.ts'
import { type JobRecord, recordEvent } from './job-record.ts'
import type { RecordWriter } from './record-writer.ts'

/** Renumbers waiting jobs after the line moved; passes asked for while one runs fold into one more pass. */
export class QueuePlaces {
  readonly #queue: JobQueue
  readonly #writer: RecordWriter
  readonly #logger: Logger
  #running = false
  #again = false

  constructor(queue: JobQueue, writer: RecordWriter, logger: Logger) {
    this.#queue = queue
    this.#writer = writer
    this.#logger = logger
  }

  /** Sets one waiting job's place (a job that has started meanwhile keeps its own), logging its first event. */
  place(jobId: string, place: number): Promise<JobRecord | undefined> {
    return this.#writer.write(jobId, (job) => {
      const first = job.events.length === 0
      if (job.startedAt !== undefined || isFinalStatus(job.status))
        return first && recordEvent(job, Date.now())
      if (job.queuePosition === place && !first) return false
      job.queuePosition = place
      return recordEvent(job, Date.now())
    })
  }

  /** Brings every waiting job's place up to date, soon. */
  renumber(): void {
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = true
    // After the current turn: one status answer often ends several jobs at once, and the starts that follow
    // then share one pass instead of taking two (the first, and one more for the rest).
    setImmediate(() => {
      void this.#passes().finally(() => {
        this.#running = false
      })
    })
  }

  async #passes(): Promise<void> {
    do {
      this.#again = false
      // Debug only: positions are advisory, the next pass writes what this one missed, and a store outage
      // behind a failure is already logged by the store's connection.
      const ids = await this.#queue.waitingIds().catch((error: unknown) => {
        this.#logger.debug({ err: error }, 'the line could not be read to renumber it')
        return []
      })
      // All at once, not one await per place: every start renumbers the whole line (dozens of jobs in the
      // bench's scenario (b)), and each job's writes stay in order in the writer anyway.
      const writes: Promise<unknown>[] = []
      for (let index = 0; index < ids.length; index++)
        writes.push(this.place(ids[index] as string, index + 1))
      const results = await Promise.allSettled(writes)
      for (let index = 0; index < results.length; index++) {
        const result = results[index]
        if (result?.status === 'rejected')
          this.#logger.debug({ err: result.reason, jobId: ids[index] }, 'a queue place was not written')
      }
    } while (this.#again)
  }
}
