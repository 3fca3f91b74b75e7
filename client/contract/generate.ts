/** The generate request: what every surface accepts, normalised to what the upstream understands. */
import { z } from 'zod'
import {
  DEFAULT_SAMPLER,
  DEFAULT_SCHEDULER,
  normaliseSampling,
  resolveSampler,
  resolveScheduler,
  SAMPLER_ALIASES,
  SAMPLERS,
  type SamplerInput,
  SCHEDULERS,
  type SchedulerInput,
} from './samplers.ts'

/** Longest prompt (and negative prompt) accepted, in characters. */
export const MAX_PROMPT_LENGTH = 2000

const samplerHelp = `one of ${SAMPLERS.join(', ')}; or an AUTOMATIC1111 name: ${Object.keys(SAMPLER_ALIASES).join(', ')}`
const schedulerHelp = `one of ${SCHEDULERS.join(', ')}`

/** Blank strings mean "not given", as curl users often send `"scheduler": ""`. */
const optionalName = <T extends string>(
  kind: 'sampler' | 'scheduler',
  known: (v: string) => unknown,
  help: string,
) =>
  (
    z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z
        .string({ error: `${kind} must be a string: ${help}` })
        .refine((v) => known(v) !== undefined, {
          error: (issue) => `unknown ${kind} "${issue.input}": must be ${help}`,
        })
        .optional(),
    ) as unknown as z.ZodType<string, T>
  ).optional()

/** The request body of `POST /api/generate` and the input of the tRPC `generate` mutation. */
export const GenerateInput = z
  .object(
    {
      prompt: z
        .string({ error: 'prompt is required and must be a string' })
        .trim()
        .min(1, { error: 'prompt must not be empty' })
        .max(MAX_PROMPT_LENGTH, { error: `prompt must be at most ${MAX_PROMPT_LENGTH} characters` })
        .meta({ description: 'What to draw (trimmed).', examples: ['a lighthouse at dawn'] }),
      negative: z
        .string({ error: 'negative must be a string' })
        .trim()
        .max(MAX_PROMPT_LENGTH, { error: `negative must be at most ${MAX_PROMPT_LENGTH} characters` })
        .optional()
        .meta({ description: 'What to avoid (trimmed).', examples: ['blurry, low quality'] }),
      sampler: optionalName<SamplerInput>('sampler', resolveSampler, samplerHelp).meta({
        description:
          'A ComfyUI sampler, or an AUTOMATIC1111 name that also implies a scheduler (`DPM++ 2M Karras` is ' +
          `\`dpmpp_2m\` + \`karras\`). Matched case-insensitively; blank or absent means \`${DEFAULT_SAMPLER}\`.`,
        enum: [...SAMPLERS, ...Object.keys(SAMPLER_ALIASES)],
      }),
      scheduler: optionalName<SchedulerInput>('scheduler', resolveScheduler, schedulerHelp).meta({
        description: `Matched case-insensitively; blank or absent means the one the sampler implies, else \`${DEFAULT_SCHEDULER}\`.`,
        enum: [...SCHEDULERS],
      }),
    },
    { error: 'the request must be a JSON object with at least a "prompt" string' },
  )
  .transform(({ prompt, negative, sampler, scheduler }) => ({
    prompt,
    negative: negative ?? '',
    ...normaliseSampling(sampler, scheduler),
  }))

/** What callers send (aliases allowed, fields optional). */
export type GenerateInput = z.input<typeof GenerateInput>
/** What the gateway works with after validation (ComfyUI names, negative always a string). */
export type GenerateRequest = z.output<typeof GenerateInput>
