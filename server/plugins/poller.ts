/** The `poller` plugin: one status poller for every job of this process, paced to the upstream's budget. */
import fp from 'fastify-plugin'
import { StatusPoller } from '../polling/status-poller.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Polls the upstream for the status of every job in flight, in batches. */
    poller: StatusPoller
  }
}

/** Decorates `poller`; stopped when the app closes (after the engine, which still reads it while closing). */
export default fp(
  async (app) => {
    const { config, logger, upstream, circuit } = app
    const poller = new StatusPoller(
      (ids, signal) => upstream.status(ids, signal),
      {
        statusRps: config.AKASHGEN_STATUS_RPS,
        coldIntervalMs: config.AKASHGEN_POLL_INTERVAL_MS,
        // While the breaker is open the poller waits for it instead of failing jobs that are already upstream.
        pausedForMs: () => circuit.retryInMs(),
      },
      logger,
    )
    app.decorate('poller', poller)
    // onClose hooks run last-registered first: this one after the jobs plugin's.
    app.addHook('onClose', async () => poller.close())
  },
  { name: 'poller', dependencies: ['upstream'] },
)
