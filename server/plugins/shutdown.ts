/** The `shutdown` plugin: the shutdown state, the gate that refuses new work, and connections drained on close. */
import fp from 'fastify-plugin'
import { installConnectionDrain } from '../http/connection-drain.ts'
import { installShutdownGate } from '../http/shutdown-gate.ts'
import { Shutdown } from '../shutdown.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether the gateway is shutting down: no new work, and the end of its grace period. */
    shutdown: Shutdown
  }
}

/** Decorates `shutdown`. After `security`: a request without its key is refused as such, even while stopping. */
export default fp(
  async (app) => {
    const shutdown = new Shutdown()
    app.decorate('shutdown', shutdown)
    // Closing the app is a shutdown, whoever calls it (server.ts begins it earlier, on the signal).
    app.addHook('preClose', async () => shutdown.endGrace())
    installConnectionDrain(app)
    installShutdownGate(app, shutdown)
  },
  { name: 'shutdown', dependencies: ['security'] },
)
