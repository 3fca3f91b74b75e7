/** The `security` plugin: helmet, CORS, API keys and rate limits, ahead of every route. */
import fp from 'fastify-plugin'
import { installSecurity } from '../http/security/install.ts'

/** Decorates `apiGuard`. Before any route, so its hooks cover all; after `http`, so refusals carry `x-request-id`. */
export default fp(
  async (app) => {
    await installSecurity(app, app.config, app.logger)
  },
  { name: 'security', dependencies: ['http'] },
)
