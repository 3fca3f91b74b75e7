/** The OpenAI-compatible facade (`/v1`): which model names it answers besides its own. */
import { z } from 'zod'
import { configGroup, textVar } from './define.ts'

/** An OpenAI-style model id: `dall-e-3`, `gpt-image-1`, `ft:my-model`. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/

const modelNames = z
  .string()
  .transform((v) => v.split(',').map((name) => name.trim()))
  .refine((names) => names.every((name) => MODEL_NAME.test(name)) && new Set(names).size === names.length)

/** Model aliases of `/v1`. */
export const openai = configGroup(
  'OpenAI-compatible API',
  'Tools built on an OpenAI SDK often hard-code a model name; listing it here lets `/v1/images/generations` take it as the gateway’s own model, `akashgen`.',
  {
    AKASHGEN_OPENAI_MODEL_ALIASES: textVar(modelNames, {
      must: 'comma-separated model names (each 1-64 letters, digits and . _ : -), none empty or repeated',
      unset: 'only `akashgen`',
      meaning:
        'model names `/v1` answers as `akashgen` (e.g. `dall-e-3,gpt-image-1`); `/v1/models` lists them too',
    }),
  },
)
