/** The OpenAI-compatible facade: images and models under `/v1`, with OpenAI-shaped errors in its own context. */
import type { FastifyPluginAsync } from 'fastify'
import { installOpenAIErrorHandlers } from './errors.ts'
import { registerImageRoutes } from './images.ts'
import { registerModelRoutes } from './models.ts'

/**
 * Register with `{ prefix: '/v1' }` and without fastify-plugin: the error and not-found handlers must stay in
 * this context, so the REST routes keep their own error body.
 */
export const openAIApi: FastifyPluginAsync = async (app) => {
  installOpenAIErrorHandlers(app)
  registerModelRoutes(app)
  registerImageRoutes(app)
}
