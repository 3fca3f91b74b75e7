/** Every `/v1` error in OpenAI's shape, with the status and `param` the OpenAI SDKs act on. */
import OpenAI, { type APIError } from 'openai'
import type { ImageGenerateParamsNonStreaming } from 'openai/resources/images'
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { openAIFor, rejectionOf } from './support.ts'

const harness = useGatewayHarness()

/** Lets a test send what the SDK's types would not allow. */
const loose = (params: Record<string, unknown>) => params as unknown as ImageGenerateParamsNonStreaming

describe('a bad request is a 400 invalid_request_error naming the parameter, and reaches no upstream', () => {
  it.each([
    ['size 512x512', { prompt: 'a', size: '512x512' }, 'size', '1024x1024'],
    ['n=5', { prompt: 'a', n: 5 }, 'n', 'from 1 to 4'],
    ['n=0', { prompt: 'a', n: 0 }, 'n', 'from 1 to 4'],
    ['an empty prompt', { prompt: '   ' }, 'prompt', 'prompt must not be empty'],
    ['no prompt', {}, 'prompt', 'prompt is required'],
    ['a prompt over 2000 characters', { prompt: 'x'.repeat(2001) }, 'prompt', 'at most 2000'],
    ['another model', { prompt: 'a', model: 'dall-e-3' }, 'model', '"akashgen"'],
    ['an unknown response_format', { prompt: 'a', response_format: 'png' }, 'response_format', 'b64_json'],
    ['an unknown sampler', { prompt: 'a', sampler: 'warp' }, 'sampler', 'DPM++ 2M Karras'],
    ['an unknown scheduler', { prompt: 'a', scheduler: 'lunar' }, 'scheduler', 'sgm_uniform'],
    [
      'a long negative_prompt',
      { prompt: 'a', negative_prompt: 'x'.repeat(2001) },
      'negative_prompt',
      'at most',
    ],
    ['stream: true', { prompt: 'a', stream: true }, 'stream', 'not supported'],
    ['a transparent background', { prompt: 'a', background: 'transparent' }, 'background', 'transparent'],
    ['an output_format', { prompt: 'a', output_format: 'png' }, 'output_format', 'not supported'],
    ['an unknown parameter', { prompt: 'a', seed: 7 }, 'seed', 'unknown parameter "seed"'],
  ])('%s', async (_name, params, param, mentions) => {
    const gateway = await harness.openGateway()
    const error = await rejectionOf(openAIFor(gateway).images.generate(loose(params)))
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect(error).toMatchObject({
      status: 400,
      param,
      type: 'invalid_request_error',
      code: 'invalid_request',
    })
    expect((error as APIError).message).toContain(mentions)
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it('names the first bad parameter and lists every problem in the message', async () => {
    const gateway = await harness.openGateway()
    const error = await rejectionOf(
      openAIFor(gateway).images.generate(loose({ prompt: '', n: 9, size: '256x256' })),
    )
    expect(error).toMatchObject({ status: 400, param: 'prompt' })
    const message = (error as APIError).message
    for (const part of ['prompt must not be empty', 'from 1 to 4', '1024x1024'])
      expect(message).toContain(part)
  })

  it('null means "not given", as in OpenAI\'s API', async () => {
    const gateway = await harness.openGateway()
    const params = loose({ prompt: 'nothing else', n: null, size: null, model: null, negative_prompt: null })
    const response = await openAIFor(gateway).images.generate(params)
    expect(response.data).toHaveLength(1)
  })
})

describe('what the body parser refuses comes out in the same shape', () => {
  const post = (url: string, body: string, contentType = 'application/json') =>
    fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body })

  it.each([
    ['a text/plain body', 'prompt=a', 'text/plain', 415, 'unsupported_media_type'],
    ['malformed JSON', '{"prompt": "a",', 'application/json', 400, 'invalid_request'],
    ['an empty body', '', 'application/json', 400, 'invalid_request'],
    ['a JSON array', '[]', 'application/json', 400, 'invalid_request'],
    [
      'a body over 64 KiB',
      JSON.stringify({ prompt: 'x'.repeat(100_000) }),
      'application/json',
      413,
      'payload_too_large',
    ],
  ])('%s', async (_name, body, contentType, status, code) => {
    const gateway = await harness.openGateway()
    const response = await post(`${gateway.url}/v1/images/generations`, body, contentType)
    expect(response.status).toBe(status)
    const answer = (await response.json()) as { error: Record<string, unknown> }
    expect(answer).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
    })
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it('an unknown /v1 route is a 404 in the same shape', async () => {
    const gateway = await harness.openGateway()
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST' })
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'not_found' },
    })
  })

  it('the REST routes keep their own error body', async () => {
    const gateway = await harness.openGateway()
    const response = await post(`${gateway.url}/api/generate`, 'prompt=a', 'text/plain')
    expect(response.status).toBe(415)
    expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', retryable: false })
  })
})
