/** Server-sent events: the wire format of job streams, and the registry that ends open streams on shutdown. */
import type { FastifyInstance } from 'fastify'

/** Time between `: keep-alive` comments on an idle REST stream, so proxies do not drop it. */
export const HEARTBEAT_MS = 15_000

/** How long shutdown waits for aborted streams to end by themselves before their sockets are destroyed. */
export const STREAM_DRAIN_GRACE_MS = 2_000

/** One SSE message: `id`, `event` and `data` lines (the data is one line of JSON) and the blank line. */
export function sseMessage(id: string, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/** An SSE comment line: clients ignore it, but it keeps the connection busy. */
export const SSE_HEARTBEAT = ': keep-alive\n\n'

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

/** The event streams open right now (REST and tRPC), so shutdown can end them and wait until they have. */
export class OpenStreams {
  readonly #entries = new Set<Entry>()

  /** Registers a stream; `destroy` forcibly closes it if it has not ended within the shutdown grace. */
  open(destroy?: () => void): OpenStream {
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
        this.#entries.delete(entry)
        resolveEnded()
      },
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
export function installOpenStreams(app: FastifyInstance): OpenStreams {
  const streams = new OpenStreams()
  app.addHook('preClose', async () => {
    await streams.closeAll()
  })
  return streams
}
