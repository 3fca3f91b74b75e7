/** The `http` plugin: the request id and log line, and the REST error body, for every route. */
import fp from 'fastify-plugin'
import { installErrorHandlers } from '../http/errors.ts'
import { installRequestLog } from '../http/request-log.ts'

/** Installs the request log and the REST error and not-found handlers (tRPC and `/v1` set their own). */
export default fp(
  async (app) => {
    installRequestLog(app)
    installErrorHandlers(app)
  },
  { name: 'http' },
)
