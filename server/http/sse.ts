/** Server-sent events: the wire format of job streams, and the registry that caps them per client and ends them on shutdown. */
import type { FastifyInstance } from 'fastify'
import { type ClientShares, clientLimit } from '../jobs/client-shares.ts'

/** Time between `: keep-alive` comments on an idle REST stream, so proxies do not drop it. */
export const HEARTBEAT_MS = 15_000

/** How long shutdown waits for aborted streams to end by themselves before their sockets are destroyed. */
const STREAM_DRAIN_GRACE_MS = 2_000

/** One SSE message: `id`, `event` and `data` lines (the data is one line of JSON) and the blank line. */
export function sseMessage(id: string, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/** An SSE comment line: clients ignore it, but it keeps the connection busy. */
export const SSE_HEARTBEAT = ': keep-alive\n\n'

/** Retry-After of a refused stream: a stream ends with its job, so one of the caller's may have ended by then. */
const STREAM_RETRY_AFTER_S = 5

/** The per-client cap on open streams: `max` (0: none), counted in `shares` (deployment-wide on Redis). */
export interface StreamCap {
  shares: ClientShares
  max: number
}

/** One open stream as the registry sees it. */
export interface OpenStream {
  /** Aborts when the gateway shuts down: the stream should then end cleanly. */
  readonly signal: AbortSignal
  /** Call once the stream has ended (idempotent). */
  ended(): void
}

interface Entry {
  controller: AbortController
  ended: Promise<void>
  destroy: (() => void) | undefined
}

/**
 * The event streams open right now (REST and tRPC): each client may have `cap.max` open at once, and shutdown
 * can end them all and wait until they have.
 */
export class OpenStreams {
  readonly #entries = new Set<Entry>()
  readonly #cap: StreamCap
  /** Streams open (or being opened) here per client. */
  readonly #perClient = new Map<string, number>()

  constructor(cap: StreamCap) {
    this.#cap = cap
  }

  /**
   * Registers a stream of `client` (`Caller.id`); `destroy` forcibly closes it if it has not ended within the
   * shutdown grace. CLIENT_LIMIT (naming `AKASHGEN_MAX_STREAMS_PER_CLIENT`) when the client has its cap open.
   */
  async open(client: string, destroy?: () => void): Promise<OpenStream> {
    const { shares, max } = this.#cap
    // Counted here before the check, so two streams opening at once can not both take the last place.
    const here = this.#count(client, +1) - 1
    if (max > 0 && !(await shares.openStream(client, max, here).catch(this.#undo(client)))) {
      this.#count(client, -1)
      throw clientLimit('AKASHGEN_MAX_STREAMS_PER_CLIENT', max, STREAM_RETRY_AFTER_S)
    }
    const controller = new AbortController()
    let resolveEnded = () => {}
    const entry: Entry = {
      controller,
      ended: new Promise<void>((resolve) => {
        resolveEnded = resolve
      }),
      destroy,
    }
    this.#entries.add(entry)
    return {
      signal: controller.signal,
      ended: () => {
        if (!this.#entries.delete(entry)) return
        const left = this.#count(client, -1)
        // A lost write is righted by the client's next stream: each one writes the count as it is here.
        if (max > 0) void shares.closeStream(client, left).catch(() => {})
        resolveEnded()
      },
    }
  }

  /** Adds `delta` to the client's streams here; the new count. */
  #count(client: string, delta: 1 | -1): number {
    const count = (this.#perClient.get(client) ?? 0) + delta
    if (count > 0) this.#perClient.set(client, count)
    else this.#perClient.delete(client)
    return count
  }

  /** Takes back the place counted for a stream whose check failed (the store is away), and rethrows. */
  #undo(client: string): (error: unknown) => never {
    return (error) => {
      this.#count(client, -1)
      throw error
    }
  }

  /** Number of streams open now. */
  get size(): number {
    return this.#entries.size
  }

  /** Aborts every open stream and resolves once all have ended (destroying those that outlast `graceMs`). */
  async closeAll(graceMs = STREAM_DRAIN_GRACE_MS): Promise<void> {
    const entries = [...this.#entries]
    if (entries.length === 0) return
    for (const entry of entries) entry.controller.abort(new Error('the gateway is shutting down'))
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs)
    })
    const outcome = await Promise.race([Promise.all(entries.map((entry) => entry.ended)), grace])
    clearTimeout(timer)
    if (outcome === 'late') for (const entry of this.#entries) entry.destroy?.()
  }
}

/**
 * Creates the registry of open streams and ends them in a `preClose` hook: Node's `server.close()` waits for
 * every response, so one open stream would otherwise hold `app.close()` until its job finished.
 */
export function installOpenStreams(app: FastifyInstance, cap: StreamCap): OpenStreams {
  const streams = new OpenStreams(cap)
  app.addHook('preClose', async () => {
    await streams.closeAll()
  })
  return streams
}
