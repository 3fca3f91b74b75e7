/** `GET /v1/models` and `GET /v1/models/:model`: this gateway's model and its aliases, as OpenAI lists models. */
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

/** The model names `/v1` answers: ours first, then the configured aliases. */
export function servedModels(aliases: readonly string[] = []): string[] {
  return [MODEL_ID, ...aliases.filter((name) => name !== MODEL_ID)]
}

/** Stable Diffusion 3.5's release (2024-10-22), so `created` does not change with every restart. */
const modelCalled = (id: string): OpenAIModel => ({
  id,
  object: 'model',
  created: 1729555200,
  owned_by: MODEL_ID,
})

/**
 * Registers the model list and the single-model lookup (relative to the plugin's `/v1` prefix). Each alias of
 * `AKASHGEN_OPENAI_MODEL_ALIASES` is listed as a model of its own, owned by `akashgen`: tools that check their
 * hard-coded model against the list before calling then find it.
 */
export function registerModelRoutes(app: FastifyInstance): void {
  const models = servedModels(app.services.config.AKASHGEN_OPENAI_MODEL_ALIASES).map(modelCalled)
  app.get('/models', async () => ({ object: 'list', data: models }))

  app.get<{ Params: { model: string } }>('/models/:model', async (request) => {
    const model = models.find((known) => known.id === request.params.model)
    if (!model) {
      throw new GatewayError(
        'NOT_FOUND',
        `the model "${request.params.model}" does not exist: the models are ${models.map((m) => `"${m.id}"`).join(', ')}`,
        { details: { param: 'model' } },
      )
    }
    return model
  })
}
