/**
 * The one synchronous wait of a route that answers only once its jobs are done (`POST /api/generate`,
 * `POST /v1/images/generations`): it follows the jobs, ends on a hang-up or the end of the shutdown grace, and
 * on a failure abandons the jobs and logs the 499 line, so a fix lands in every such route at once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../errors.ts'
import type { JobEngine } from '../jobs/engine.ts'
import type { Shutdown } from '../shutdown.ts'

/** What a wait needs: the engine that runs the jobs and the shutdown whose grace ends the wait. */
export interface SyncWaitServices {
  engine: JobEngine
  shutdown: Shutdown
}

/** One caller's wait on its jobs; call `fail(error)` in the route's `catch` and `end()` in its `finally`. */
export interface SyncWait {
  /** Aborts when the caller hangs up (CANCELLED), the shutdown grace ends, or `fail()` is called: pass it to the waits. */
  signal: AbortSignal
  /**
   * A signal that aborts only when the caller hangs up, for what the route streams once the jobs are done (the
   * end of the grace must not cut an image short); made on first use.
   */
  hangUp(): AbortSignal
  /**
   * Stops following the jobs after `error`. On a hang-up abandons them and logs the 499 line; otherwise, when
   * `otherReason` is given and shutdown has not taken the jobs over, abandons them with that reason.
   */
  fail(error: unknown, otherReason?: string): void
  /** Lets go of the follows and of the shutdown grace; safe to call more than once. */
  end(): void
}

/** Where the wait is logged: the route's path and the job fields of its 499 line (`jobId` or `jobIds`). */
export interface SyncWaitLog {
  path: string
  fields: Record<string, unknown>
}

/**
 * Starts the wait on `jobIds` for the request. One AbortController carries the hang-up, the end of the grace
 * and the failure (a second one only for `hangUp()`): the signals per request were a tenth of the CPU per image
 * (bench (b)). The socket is watched, not request.signal, which fires once a POST body has been read (Fastify
 * 5.12).
 */
export function startSyncWait(
  { engine, shutdown }: SyncWaitServices,
  request: FastifyRequest,
  reply: FastifyReply,
  jobIds: string[],
  log: SyncWaitLog,
): SyncWait {
  const unfollows = jobIds.map((id) => engine.follow(id))
  const controller = new AbortController()
  const response = reply.raw
  let hungUp: GatewayError | undefined
  let hangUp: AbortController | undefined
  const onClose = () => {
    if (response.writableEnded) return
    hungUp = new GatewayError('CANCELLED', 'the caller hung up')
    controller.abort(hungUp)
    hangUp?.abort(hungUp)
  }
  // A caller who left while the jobs were being submitted has already closed the response.
  if (response.closed) onClose()
  else response.once('close', onClose)
  let releaseGrace: (() => void) | undefined = shutdown.whenGraceOver((reason) => controller.abort(reason))
  const unfollowAll = () => {
    for (const unfollow of unfollows.splice(0)) unfollow()
  }
  const abandonAll = (reason: string) => {
    for (const id of jobIds)
      void engine
        .abandon(id, reason)
        .catch((error: unknown) =>
          request.log.warn({ err: error, jobId: id }, 'a job could not be abandoned'),
        )
  }
  return {
    signal: controller.signal,
    hangUp() {
      if (!hangUp) {
        hangUp = new AbortController()
        if (hungUp) hangUp.abort(hungUp)
      }
      return hangUp.signal
    },
    fail(error, otherReason) {
      controller.abort(error)
      unfollowAll()
      if (hungUp !== undefined) {
        abandonAll('cancelled: the caller hung up')
        const ms = Math.round(reply.elapsedTime)
        request.log.info({ method: 'POST', path: log.path, status: 499, ms, ...log.fields }, 'caller hung up')
        // Shutdown already cancelled the jobs, or handed them over to another replica: leave them be.
      } else if (otherReason !== undefined && !shutdown.graceOver.aborted) abandonAll(otherReason)
    },
    end() {
      releaseGrace?.()
      releaseGrace = undefined
      unfollowAll()
    },
  }
}
