/** `AKASHGEN_OPENAI_MODEL_ALIASES` and `preferred_gpu` on `/v1`, through the official OpenAI SDK. */
import { randomUUID } from 'node:crypto'
import OpenAI, { type APIError } from 'openai'
import type { ImageGenerateParamsNonStreaming } from 'openai/resources/images'
import { describe, expect, it } from 'vitest'
import { upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { openAIFor, rejectionOf } from './support.ts'

const harness = useGatewayHarness()

const ALIASES = { AKASHGEN_OPENAI_MODEL_ALIASES: 'dall-e-3,gpt-image-1' }

/** Lets a test send the gateway's extension fields, which the SDK's types do not know. */
const loose = (params: Record<string, unknown>) => params as unknown as ImageGenerateParamsNonStreaming

describe('model aliases', () => {
  it.each(['dall-e-3', 'gpt-image-1'])(
    '%s is answered as akashgen: one image from the upstream',
    async (model) => {
      const gateway = await harness.openGateway(ALIASES)
      const prompt = `an aliased otter ${randomUUID()}`
      const response = await openAIFor(gateway).images.generate({ model, prompt, size: '1024x1024' })
      expect(response.data).toHaveLength(1)
      expect(response.data?.[0]?.url).toMatch(/\/api\/jobs\/[0-9a-f-]{36}\/image$/)
      expect(upstreamJobFor(harness.emulator, prompt).status).toBe('succeeded')
    },
  )

  it('an alias still takes only the documented size: another is refused naming size', async () => {
    const gateway = await harness.openGateway(ALIASES)
    const error = await rejectionOf(
      openAIFor(gateway).images.generate({ model: 'dall-e-3', prompt: 'a wide otter', size: '1792x1024' }),
    )
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect(error).toMatchObject({ status: 400, param: 'size' })
    expect((error as APIError).message).toContain('1024x1024')
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it('an unknown model is refused naming model, the models served and the alias variable', async () => {
    const gateway = await harness.openGateway(ALIASES)
    const error = await rejectionOf(
      openAIFor(gateway).images.generate({ model: 'dall-e-2', prompt: 'an otter' }),
    )
    expect(error).toMatchObject({ status: 400, param: 'model', code: 'invalid_request' })
    const message = (error as APIError).message
    for (const part of [
      '"dall-e-2"',
      '"akashgen", "dall-e-3" or "gpt-image-1"',
      'AKASHGEN_OPENAI_MODEL_ALIASES',
    ])
      expect(message).toContain(part)
  })

  it('without the variable an alias is an unknown model', async () => {
    const gateway = await harness.openGateway()
    const error = await rejectionOf(
      openAIFor(gateway).images.generate({ model: 'dall-e-3', prompt: 'an otter' }),
    )
    expect(error).toMatchObject({ status: 400, param: 'model' })
    expect((error as APIError).message).toContain('AKASHGEN_OPENAI_MODEL_ALIASES')
  })

  it('the model list shows the aliases as models owned by akashgen, and each can be retrieved', async () => {
    const gateway = await harness.openGateway(ALIASES)
    const openai = openAIFor(gateway)
    const models = []
    for await (const model of openai.models.list()) models.push(model.id)
    expect(models).toEqual(['akashgen', 'dall-e-3', 'gpt-image-1'])
    expect(await openai.models.retrieve('gpt-image-1')).toMatchObject({
      id: 'gpt-image-1',
      owned_by: 'akashgen',
    })
  })
})

describe('preferred_gpu on /v1/images/generations', () => {
  it('the upstream is asked for exactly the list, and a requested GPU made every image', async () => {
    const gateway = await harness.openGateway()
    const prompt = `a GPU-picky otter ${randomUUID()}`
    const response = await openAIFor(gateway).images.generate(
      loose({ prompt, n: 2, preferred_gpu: ['A100', 'RTX4090'] }),
    )
    expect(response.data).toHaveLength(2)
    const jobs = harness.emulator.jobs().filter((job) => job.prompt === prompt)
    expect(jobs.map((job) => job.preferredGpu)).toEqual([
      ['A100', 'RTX4090'],
      ['A100', 'RTX4090'],
    ])
    for (const job of jobs) expect(['A100', 'RTX4090']).toContain(job.workerGpu)
  })

  it('an unknown GPU is refused naming preferred_gpu', async () => {
    const gateway = await harness.openGateway()
    const error = await rejectionOf(
      openAIFor(gateway).images.generate(loose({ prompt: 'an otter', preferred_gpu: ['TPU'] })),
    )
    expect(error).toMatchObject({ status: 400, param: 'preferred_gpu', code: 'invalid_request' })
    expect((error as APIError).message).toContain('invalid request: preferred_gpu has an unknown GPU "TPU"')
    expect(harness.emulator.counters.submissions).toBe(0)
  })
})
