/** The body of `POST /v1/images/generations`: OpenAI's fields checked here, the prompt fields by the contract. */
import { GenerateInput, type GenerateRequest, quoted } from '@akashgen/contract'
import { z } from 'zod'
import { GatewayError } from '../../errors.ts'

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
  'preferred_gpu',
  'webhook',
]

/** The contract's names that this facade spells the OpenAI way (snake_case). */
const RENAMED: Record<string, string> = { negative: 'negative_prompt', preferredGpu: 'preferred_gpu' }

/** The variable that adds model names (docs and error messages name it). */
const MODEL_ALIASES_VARIABLE = 'AKASHGEN_OPENAI_MODEL_ALIASES'

/** `"akashgen"`, `"akashgen" or "dall-e-3"`: the model names a request may give, as messages list them. */
function modelList(models: readonly string[]): string {
  const names = models.map((name) => `"${name}"`)
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '')
}

/**
 * OpenAI's fields. `user`, `quality`, `style` and `moderation` are accepted and ignored: they cannot change
 * what AkashGen makes. Fields that promise what it cannot give are refused by name; unknown fields too.
 * `models` are our model and its aliases (`AKASHGEN_OPENAI_MODEL_ALIASES`).
 */
const openAIFields = (models: readonly string[]) => {
  const modelHelp = `model must be ${modelList(models)} (more names through ${MODEL_ALIASES_VARIABLE})`
  return z.strictObject({
    prompt: z.unknown().optional(),
    negative_prompt: z.unknown().optional(),
    sampler: z.unknown().optional(),
    scheduler: z.unknown().optional(),
    preferred_gpu: z.unknown().optional(),
    webhook: z.unknown().optional(),
    model: z
      .string({ error: modelHelp })
      .refine((v) => models.includes(v), { error: (i) => `unknown model "${quoted(i.input)}": ${modelHelp}` })
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
}

/**
 * The request checker for a gateway that answers the names `models` (see servedModels). Its result checks `body`
 * and throws INVALID_REQUEST whose `details.fieldErrors` are keyed by the OpenAI parameter names.
 */
export function imagesRequestParser(models: readonly string[]): (body: unknown) => ImagesRequest {
  const fields = openAIFields(models)
  return (body) => parseImagesRequest(fields, body)
}

function parseImagesRequest(OpenAIFields: ReturnType<typeof openAIFields>, body: unknown): ImagesRequest {
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
    preferredGpu: fields.preferred_gpu,
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
    // The contract's `negative` and `preferredGpu` are `negative_prompt` and `preferred_gpu` in this facade.
    const field = String(issue.path[0] ?? '')
    const param = RENAMED[field] ?? field
    problems.push([param, param === field ? issue.message : issue.message.replace(field, param)])
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
