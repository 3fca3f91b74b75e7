/** Fair shares: the jobs and event streams each client holds now, so no one client takes every slot or socket. */
import { GatewayError } from '../errors.ts'

/** Counts per client (`Caller.id`: a key's digest, or an address in open mode), shared by every replica on Redis. */
export interface ClientShares {
  /**
   * Counts `jobId` against `client` until `releaseJob`, or at the latest until `expiresAt` (its deadline: by
   * then it is final, even if the replica that ended it died before releasing it). False, counting nothing,
   * when the client holds `max` jobs already.
   */
  takeJob(client: string, jobId: string, expiresAt: number, max: number): Promise<boolean>
  /** Stops counting `jobId` (it is final, or was never accepted); idempotent. */
  releaseJob(client: string, jobId: string): Promise<void>
  /**
   * Whether `client` may open one more event stream: false when it has `max` open already, counting `here`
   * (its streams open in this process, which the caller tracks) and those on the other live replicas.
   */
  openStream(client: string, max: number, here: number): Promise<boolean>
  /** One stream of `client` here closed; `here` are the ones still open in this process. */
  closeStream(client: string, here: number): Promise<void>
}

/** Which per-client limit a refusal is about: the variable that sets it. */
export type ClientLimit = 'AKASHGEN_MAX_JOBS_PER_CLIENT' | 'AKASHGEN_MAX_STREAMS_PER_CLIENT'

const WHAT: Record<ClientLimit, string> = {
  AKASHGEN_MAX_JOBS_PER_CLIENT: 'jobs queued or running: wait for one to finish',
  AKASHGEN_MAX_STREAMS_PER_CLIENT: 'event streams open: close one first',
}

/** CLIENT_LIMIT (429, with Retry-After): this caller holds its whole share; `details.limit` names the variable. */
export function clientLimit(limit: ClientLimit, max: number, retryAfterS: number): GatewayError {
  return new GatewayError('CLIENT_LIMIT', `this client already has ${max} ${WHAT[limit]} (${limit}=${max})`, {
    details: { limit, max, retryAfterS },
    retryAfterS,
  })
}

/** The counts in this process's memory (one gateway, no Redis). */
export class MemoryClientShares implements ClientShares {
  /** Per client: its counted jobs and when each stops counting at the latest. */
  readonly #jobs = new Map<string, Map<string, number>>()

  async takeJob(client: string, jobId: string, expiresAt: number, max: number): Promise<boolean> {
    const held = this.#jobs.get(client) ?? new Map<string, number>()
    const now = Date.now()
    for (const [id, until] of held) if (until <= now) held.delete(id)
    if (held.size >= max) return false
    held.set(jobId, expiresAt)
    this.#jobs.set(client, held)
    return true
  }

  async releaseJob(client: string, jobId: string): Promise<void> {
    const held = this.#jobs.get(client)
    held?.delete(jobId)
    if (held?.size === 0) this.#jobs.delete(client)
  }

  /** One process: its own streams are all there are. */
  async openStream(_client: string, max: number, here: number): Promise<boolean> {
    return here < max
  }

  async closeStream(): Promise<void> {}
}
