/** The `openapi` plugin: `/openapi.json` and Swagger UI, collecting every route registered after it. */
import fp from 'fastify-plugin'
import { registerOpenApi } from '../http/openapi/plugin.ts'

/** Register it before any route: @fastify/swagger documents routes as they are added. */
export default fp(
  async (app) => {
    await registerOpenApi(app)
  },
  { name: 'openapi' },
)
