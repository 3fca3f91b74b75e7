/**
 * Docs of routes registered in files that carry none of their own, keyed by `METHOD /url`. A route that gets
 * its own `documented(...)` options next to it no longer needs an entry here.
 */
import { ErrorBody, GenerateInput } from '@akashgen/contract'
import { z } from 'zod'
import { IdempotencyKeyHeader, REPLAYED_HEADER_DOC } from '../../idempotency/docs.ts'
import { MODEL_ID } from '../openai/models.ts'
import { IMAGE_SIZE, MAX_IMAGES } from '../openai/request.ts'
import { json, REQUEST_ID_HEADER, type ResponseDoc, type RouteDocs } from './route-docs.ts'

/** Errors on `/v1` are OpenAI-shaped; `code` is the gateway's code, lowercased. */
const OpenAIError = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().meta({ examples: ['invalid_request_error', 'rate_limit_error', 'server_error'] }),
      param: z.string().nullable(),
      code: z.string().meta({ examples: ['invalid_request', 'queue_full', 'job_failed'] }),
    }),
  })
  .meta({ id: 'OpenAIError', description: 'The body of every `/v1` error, as OpenAI shapes it.' })

/** OpenAI-shaped error responses for `statuses`. */
const openAIErrors = (statuses: Record<number, string>): Record<string, ResponseDoc> =>
  Object.fromEntries(
    Object.entries(statuses).map(([status, description]) => [
      status,
      {
        description,
        content: json(OpenAIError),
        headers: {
          ...REQUEST_ID_HEADER,
          'X-Should-Retry': { description: 'Whether the same request may succeed later (`true`/`false`).' },
        },
      },
    ]),
  )

const Model = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.int(),
  owned_by: z.string(),
})

const { prompt, negative, sampler, scheduler, preferredGpu } = GenerateInput.in.shape

const ImagesBody = z.object({
  prompt,
  negative_prompt: negative,
  sampler,
  scheduler,
  preferred_gpu: preferredGpu,
  model: z
    .string()
    .optional()
    .meta({
      description: `\`${MODEL_ID}\`, or a name in \`AKASHGEN_OPENAI_MODEL_ALIASES\`: the models \`GET /v1/models\` lists.`,
      examples: [MODEL_ID],
    }),
  n: z.int().min(1).max(MAX_IMAGES).default(1).meta({ description: 'How many images.' }),
  size: z.literal(IMAGE_SIZE).optional().meta({ description: 'The only size AkashGen makes.' }),
  response_format: z.enum(['url', 'b64_json']).default('url'),
})

/** The docs by `METHOD /url` (the url as Fastify registered it, e.g. `/v1/models/:model`). */
export const UNOWNED_ROUTE_DOCS: Record<string, RouteDocs> = {
  'GET /': {
    summary: 'The playground page',
    description:
      'A page to try the gateway in a browser: prompt, sampler and scheduler, live progress and a history. ' +
      'Its script and stylesheet are served under `/playground/`.',
    tags: ['pages'],
    response: {
      200: { description: 'The page.', content: { 'text/html': { schema: z.string() } } },
      503: {
        description: 'The page is not built: run `npm run build`.',
        content: json(ErrorBody),
        headers: REQUEST_ID_HEADER,
      },
    },
  },
  'GET /v1/models': {
    summary: 'The models (OpenAI-compatible)',
    tags: ['openai'],
    response: {
      200: {
        description: 'An OpenAI model list: the one model this gateway serves.',
        content: json(z.object({ object: z.literal('list'), data: z.array(Model) })),
        headers: REQUEST_ID_HEADER,
      },
    },
  },
  'GET /v1/models/:model': {
    summary: 'One model (OpenAI-compatible)',
    tags: ['openai'],
    params: z.object({ model: z.string().meta({ examples: [MODEL_ID] }) }),
    response: {
      200: { description: 'The model.', content: json(Model), headers: REQUEST_ID_HEADER },
      ...openAIErrors({ 404: 'No such model.' }),
    },
  },
  'POST /v1/images/generations': {
    summary: 'Generate images (OpenAI-compatible)',
    description:
      "OpenAI's images API over the same jobs as `POST /api/generate`: it waits for them, and a caller who " +
      'hangs up cancels them. `user`, `quality`, `style` and `moderation` are accepted and ignored; fields ' +
      'asking for what AkashGen can not give (`stream`, `output_format`, ...) and unknown fields are refused.',
    tags: ['openai'],
    body: ImagesBody,
    headers: z.object({ 'Idempotency-Key': IdempotencyKeyHeader }),
    response: {
      200: {
        description: 'The images, as URLs on this gateway or base64.',
        content: json(
          z.object({
            created: z.int(),
            data: z.array(z.union([z.object({ url: z.string() }), z.object({ b64_json: z.string() })])),
          }),
        ),
        headers: {
          'X-Job-Id': { description: 'The ids of the jobs, comma-separated.' },
          ...REPLAYED_HEADER_DOC,
          ...REQUEST_ID_HEADER,
        },
      },
      ...openAIErrors({
        400: '`invalid_request`: the body fails the checks (`param` names the first bad field)',
        404: '`not_found`: the jobs of this `Idempotency-Key` are past retention',
        409: '`idempotency_conflict`: the `Idempotency-Key` was used with a different request',
        413: '`payload_too_large`',
        415: '`unsupported_media_type`',
        429: '`queue_full`, or `client_limit`: this caller holds its share (AKASHGEN_MAX_JOBS_PER_CLIENT)',
        499: '`cancelled`',
        500: '`internal`',
        502: '`job_failed` or `upstream_error`',
        503: '`store_unavailable` or `shutting_down` (see `Retry-After`)',
        504: '`upstream_timeout` or `job_timeout`',
      }),
    },
  },
}
