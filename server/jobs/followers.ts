/** Counting a job's followers in the store, so that a failed write never lets a hang-up cancel a followed job. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { JobStore } from './store.ts'

/** How many times a follower's +1 is tried before it is given up (the store's own reconnect retries first). */
const FOLLOW_ATTEMPTS = 3
/** The pause before the next try grows by this much each time. */
const FOLLOW_RETRY_MS = 200
/**
 * The reason a follow ends with (nothing reads it): `abort()` without one builds a DOMException, stack and
 * all, and every synchronous request ends a follow.
 */
const RELEASED = new Error('the follower let go')

/**
 * Whether the follower let go. The signal is made only for a retry's pause: a controller per follow, made by
 * every synchronous request, cost CPU for the rare failed +1.
 */
class Release {
  done = false
  #controller: AbortController | undefined

  release(): void {
    this.done = true
    this.#controller?.abort(RELEASED)
  }

  /** Aborts once the follower lets go (at once if it has). */
  signal(): AbortSignal {
    this.#controller ??= new AbortController()
    if (this.done) this.#controller.abort(RELEASED)
    return this.#controller.signal
  }
}

/**
 * Counts one follower of `jobId` until the returned function is called (once; later calls do nothing). A +1
 * that fails is retried, since an uncounted follower lets another replica's hang-up cancel the job; the -1
 * is sent only for a +1 that landed, so a failed +1 never uncounts somebody else's follow.
 */
export function followJob(store: JobStore, logger: Logger, jobId: string): () => void {
  const released = new Release()
  let landed = false
  const counted = countFollower(store, logger, jobId, released).then((ok) => {
    landed = ok
    return ok
  })
  const uncount = () =>
    store
      .follow(jobId, -1)
      // A count left behind only keeps the job alive until the count's TTL; the job's deadline still ends it.
      .catch((error: unknown) => logger.warn({ err: error, jobId }, 'a follower could not be uncounted'))
  return () => {
    if (released.done) return
    released.release()
    // Once counted, the -1 goes out now, so a check right after this call already sees it.
    if (landed) void uncount()
    else void counted.then((ok) => (ok ? uncount() : undefined))
  }
}

/** Adds the +1, retrying while the follower is still there; true once it landed. */
async function countFollower(
  store: JobStore,
  logger: Logger,
  jobId: string,
  released: Release,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.follow(jobId, 1)
      return true
    } catch (error) {
      if (released.done || attempt >= FOLLOW_ATTEMPTS) {
        logger.error({ err: error, jobId, attempt }, 'a follower could not be counted; gave up')
        return false
      }
      logger.warn({ err: error, jobId, attempt }, 'a follower could not be counted; retrying')
      // The pause rejects only when the follower left meanwhile: then there is nothing left to count.
      const stillFollowed = await sleep(FOLLOW_RETRY_MS * attempt, true, { signal: released.signal() }).catch(
        () => false,
      )
      if (!stillFollowed) return false
    }
  }
}
