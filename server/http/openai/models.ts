/** `GET /v1/models` and `GET /v1/models/:model`: the one model this gateway serves, as OpenAI lists models. */
import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../../errors.ts'

/** The id callers pass as `model` (or leave out: it is the only one). */
export const MODEL_ID = 'akashgen'

/** An OpenAI `Model` object. */
export interface OpenAIModel {
  id: string
  object: 'model'
  created: number
  owned_by: string
}

/** Stable Diffusion 3.5's release (2024-10-22), so `created` does not change with every restart. */
const MODEL: OpenAIModel = { id: MODEL_ID, object: 'model', created: 1729555200, owned_by: 'akashgen' }

/** Registers the model list and the single-model lookup (relative to the plugin's `/v1` prefix). */
export function registerModelRoutes(app: FastifyInstance): void {
  app.get('/models', async () => ({ object: 'list', data: [MODEL] }))

  app.get<{ Params: { model: string } }>('/models/:model', async (request) => {
    if (request.params.model !== MODEL_ID) {
      throw new GatewayError(
        'NOT_FOUND',
        `the model "${request.params.model}" does not exist: the only model is "${MODEL_ID}"`,
        { details: { param: 'model' } },
      )
    }
    return MODEL
  })
}
