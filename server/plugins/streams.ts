/** The `streams` plugin: the registry of open event streams (REST and tRPC), capped per client. */
import fp from 'fastify-plugin'
import { installOpenStreams, type OpenStreams } from '../http/sse.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The event streams open right now (REST and tRPC): read by tests and diagnostics too. */
    openStreams: OpenStreams
  }
}

/** Decorates `openStreams`; they are ended (and awaited) before the server closes, after the grace period's end. */
export default fp(
  async (app) => {
    const streams = installOpenStreams(app, {
      shares: app.jobBackend.shares,
      max: app.config.AKASHGEN_MAX_STREAMS_PER_CLIENT,
    })
    app.decorate('openStreams', streams)
  },
  { name: 'streams', dependencies: ['jobs', 'shutdown'] },
)
