/** The generate request: what every surface accepts, normalised to what the upstream understands. */
import { z } from 'zod'
import { PreferredGpu } from './gpus.ts'
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
import { quoted, textField } from './text.ts'
import { WebhookInput } from './webhook.ts'

/** Longest prompt (and negative prompt) accepted, in characters (Unicode code points, after NFC and trimming). */
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
          error: (issue) => `unknown ${kind} "${quoted(issue.input)}": must be ${help}`,
        })
        .optional(),
    ) as unknown as z.ZodType<string, T>
  ).optional()

/** The fields a generate request may have: the Go proxy's four, the upstream's GPU preference, a webhook. */
const FIELDS = ['prompt', 'negative', 'sampler', 'scheduler', 'preferredGpu', 'webhook'] as const

/** Why a body is refused as a whole: not an object, or fields the contract does not know (named). */
function bodyError(issue: { code: string; keys?: string[] }): string {
  if (issue.code !== 'unrecognized_keys' || !issue.keys)
    return 'the request must be a JSON object with at least a "prompt" string'
  const names = issue.keys.map((key) => `"${quoted(key)}"`).join(', ')
  return `unknown field${issue.keys.length > 1 ? 's' : ''} ${names}: the request takes only ${FIELDS.join(', ')}`
}

/**
 * The request body of `POST /api/generate` and the input of the tRPC `generate` mutation. Unknown fields are
 * refused by name rather than dropped, so a misspelt `negatve` does not silently do nothing.
 */
export const GenerateInput = z
  .strictObject(
    {
      prompt: textField('prompt', { min: 1, max: MAX_PROMPT_LENGTH }).meta({
        description:
          'What to draw: NFC-normalised and trimmed, 1-2000 characters (code points); no control characters ' +
          'but tab, line feed and carriage return.',
        examples: ['a lighthouse at dawn'],
      }),
      negative: textField('negative', { min: 0, max: MAX_PROMPT_LENGTH })
        .optional()
        .meta({
          description: 'What to avoid, under the same rules as `prompt` (may be empty).',
          examples: ['blurry, low quality'],
        }),
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
      preferredGpu: PreferredGpu,
      webhook: WebhookInput.optional(),
    },
    { error: bodyError },
  )
  .transform(({ negative, sampler, scheduler, ...rest }) => ({
    ...rest,
    negative: negative ?? '',
    ...normaliseSampling(sampler, scheduler),
  }))

/** What callers send (aliases allowed, fields optional). */
export type GenerateInput = z.input<typeof GenerateInput>
/** What the gateway works with after validation (ComfyUI names, negative always a string, GPUs filled in). */
export type GenerateRequest = z.output<typeof GenerateInput>
