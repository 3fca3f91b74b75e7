/** The body of `POST /v1/images/generations`: OpenAI's fields checked here, the prompt fields by the contract. */
import { GenerateInput, type GenerateRequest } from '@akashgen/contract'
import { z } from 'zod'
import { GatewayError } from '../../errors.ts'
import { MODEL_ID } from './models.ts'

/** Most images one request may ask for. */
export const MAX_IMAGES = 4
/** The one size AkashGen makes. */
export const IMAGE_SIZE = '1024x1024'

/** A checked request: the contract's GenerateRequest, how many images, and how to return them. */
export interface ImagesRequest {
  generate: GenerateRequest
  n: number
  responseFormat: 'url' | 'b64_json'
}

const nHelp = `n must be an integer from 1 to ${MAX_IMAGES}`

/** The order problems are reported in (and `param` names the first): the prompt, then as OpenAI lists them. */
const PARAMS = [
  'prompt',
  'model',
  'n',
  'size',
  'response_format',
  'negative_prompt',
  'sampler',
  'scheduler',
  'webhook',
]

/**
 * OpenAI's fields. `user`, `quality`, `style` and `moderation` are accepted and ignored: they cannot change
 * what AkashGen makes. Fields that promise what it cannot give are refused by name; unknown fields too.
 */
const OpenAIFields = z.strictObject({
  prompt: z.unknown().optional(),
  negative_prompt: z.unknown().optional(),
  sampler: z.unknown().optional(),
  scheduler: z.unknown().optional(),
  webhook: z.unknown().optional(),
  model: z
    .string({ error: `model must be "${MODEL_ID}"` })
    .refine((v) => v === MODEL_ID, { error: (i) => `unknown model "${i.input}": must be "${MODEL_ID}"` })
    .optional(),
  n: z.int({ error: nHelp }).min(1, { error: nHelp }).max(MAX_IMAGES, { error: nHelp }).default(1),
  size: z
    .literal(IMAGE_SIZE, { error: `size must be "${IMAGE_SIZE}", the only size AkashGen makes` })
    .optional(),
  response_format: z
    .enum(['url', 'b64_json'], { error: 'response_format must be "url" or "b64_json"' })
    .default('url'),
  user: z.unknown().optional(),
  quality: z.unknown().optional(),
  style: z.unknown().optional(),
  moderation: z.unknown().optional(),
  background: z
    .enum(['auto', 'opaque'], {
      error: 'background must be "auto" or "opaque": the images are never transparent',
    })
    .optional(),
  stream: z.literal(false, { error: 'stream is not supported: each image comes whole' }).optional(),
  partial_images: z
    .literal(0, { error: 'partial_images is not supported: each image comes whole' })
    .optional(),
  output_format: z
    .undefined({ error: 'output_format is not supported: images come in the format AkashGen made them in' })
    .optional(),
  output_compression: z
    .undefined({ error: 'output_compression is not supported: images come as AkashGen made them' })
    .optional(),
})

/** Checks `body`; throws INVALID_REQUEST whose `details.fieldErrors` are keyed by the OpenAI parameter names. */
export function parseImagesRequest(body: unknown): ImagesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError(
      'INVALID_REQUEST',
      'invalid request: the request must be a JSON object with a "prompt"',
    )
  }
  // OpenAI treats null as "not given"; so do we.
  const fields = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null))
  const own = OpenAIFields.safeParse(fields)
  const contract = GenerateInput.safeParse({
    prompt: fields.prompt,
    negative: fields.negative_prompt,
    sampler: fields.sampler,
    scheduler: fields.scheduler,
    webhook: fields.webhook,
  })
  if (own.success && contract.success) {
    return { generate: contract.data, n: own.data.n, responseFormat: own.data.response_format }
  }
  const problems: [param: string, message: string][] = []
  for (const issue of own.error?.issues ?? []) {
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys) problems.push([key, `unknown parameter "${key}"`])
    else problems.push([String(issue.path[0] ?? ''), issue.message])
  }
  for (const issue of contract.error?.issues ?? []) {
    // The contract names the field `negative`; this facade calls it `negative_prompt`.
    const param = issue.path[0] === 'negative' ? 'negative_prompt' : String(issue.path[0] ?? '')
    problems.push([
      param,
      param === 'negative_prompt' ? issue.message.replace(/^negative\b/, param) : issue.message,
    ])
  }
  throw invalid(problems)
}

/** INVALID_REQUEST listing every problem, with `fieldErrors` in PARAMS order (so `param` names the first). */
function invalid(problems: [param: string, message: string][]): GatewayError {
  const rank = (param: string) => (PARAMS.includes(param) ? PARAMS.indexOf(param) : PARAMS.length)
  const sorted = problems.toSorted(([a], [b]) => rank(a) - rank(b))
  const formErrors: string[] = []
  // Keyed by caller-chosen names: without a prototype, `constructor` or `__proto__` are plain keys.
  const fieldErrors: Record<string, string[]> = Object.create(null)
  for (const [param, message] of sorted) {
    if (param === '') formErrors.push(message)
    else fieldErrors[param] = [...(fieldErrors[param] ?? []), message]
  }
  return new GatewayError('INVALID_REQUEST', `invalid request: ${sorted.map(([, m]) => m).join('; ')}`, {
    details: { formErrors, fieldErrors },
  })
}
