// The OpenAI facade under random bodies: an image answer or a 4xx in OpenAI's error shape, never a 5xx.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { errorLines, jsonValue, nastyText, runs, watchForCrashes } from './support.ts'

const harness = useGatewayHarness()
watchForCrashes()

/** OpenAI's parameters with values that are often right, often wrong, and sometimes hostile. */
const imagesBody = fc.record(
  {
    prompt: fc.oneof(fc.constant('a lighthouse at dawn'), nastyText(), jsonValue()),
    negative_prompt: fc.oneof(nastyText(), jsonValue()),
    model: fc.oneof(fc.constantFrom('akashgen', 'dall-e-3', ''), jsonValue()),
    n: fc.oneof(fc.integer({ min: -2, max: 6 }), fc.double(), jsonValue()),
    size: fc.oneof(fc.constantFrom('1024x1024', '512x512', 'auto'), jsonValue()),
    response_format: fc.oneof(fc.constantFrom('url', 'b64_json', 'png'), jsonValue()),
    quality: jsonValue(),
    stream: fc.oneof(fc.boolean(), jsonValue()),
    __proto__: jsonValue(),
    constructor: jsonValue(),
    seed: fc.integer(),
  },
  { requiredKeys: [] },
)

const OPENAI_ERROR = {
  error: {
    message: expect.any(String),
    type: expect.stringMatching(/^(invalid_request_error|rate_limit_error)$/),
    param: expect.toSatisfy((v: unknown) => v === null || typeof v === 'string'),
    code: expect.any(String),
  },
}

/** Posts `body` and checks the answer is OpenAI-shaped: `{created, data}` or a 4xx error. */
async function postImages(
  gateway: TestGateway,
  body: string,
  contentType = 'application/json',
): Promise<void> {
  const response = await fetch(`${gateway.url}/v1/images/generations`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
    signal: AbortSignal.timeout(10_000),
  })
  const context = `${contentType} ${body.slice(0, 300)}`
  const answer = (await response.json()) as unknown
  if (response.status === 200) {
    expect(answer, context).toMatchObject({ created: expect.any(Number), data: expect.any(Array) })
    return
  }
  expect(response.status, `${context} -> ${JSON.stringify(answer)}`).toBeGreaterThanOrEqual(400)
  expect(response.status, `${context} -> ${JSON.stringify(answer)}`).toBeLessThan(500)
  expect(answer, context).toEqual(OPENAI_ERROR)
}

describe('POST /v1/images/generations', () => {
  it('answers random parameter sets with images or a 4xx in OpenAI shape', async () => {
    const gateway = await harness.openGateway()
    await fc.assert(
      fc.asyncProperty(fc.oneof(imagesBody, jsonValue()), async (body) => {
        await postImages(gateway, JSON.stringify(body) ?? 'null')
      }),
      runs(120),
    )
    expect(errorLines(gateway.logs)).toEqual([])
  })

  it('answers raw bodies and content types with a 4xx in OpenAI shape', async () => {
    const gateway = await harness.openGateway()
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.constantFrom(
        '{"prompt":"a","prompt":{}}',
        '{"__proto__":{"n":9},"prompt":"a","n":9}',
        '[]',
        'null',
        '',
      ),
    )
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'x/y',
    )
    await fc.assert(
      fc.asyncProperty(body, contentType, async (text, type) => {
        await postImages(gateway, text, type)
      }),
      runs(80),
    )
    expect(errorLines(gateway.logs)).toEqual([])
  })

  // Found by the first property: `{"prompt": "a", "constructor": []}` was a 500, as the error's field map
  // found Object.prototype.constructor under the caller's parameter name.
  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'refuses an unknown parameter named %s with 400, naming it',
    async (name) => {
      const gateway = await harness.openGateway()
      const response = await fetch(`${gateway.url}/v1/images/generations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a cat', [name]: [] }),
      })
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({
        error: {
          message: `invalid request: unknown parameter "${name}"`,
          type: 'invalid_request_error',
          param: name,
          code: 'invalid_request',
        },
      })
      expect(harness.emulator.counters.submissions).toBe(0)
    },
  )
})
