/** `GET /v1/models` and `GET /v1/models/:model` through the official OpenAI SDK. */
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { openAIFor, rejectionOf } from './support.ts'

const harness = useGatewayHarness()

describe('the model list', () => {
  it('lists the one model', async () => {
    const gateway = await harness.openGateway()
    const models = []
    for await (const model of openAIFor(gateway).models.list()) models.push(model)
    expect(models).toEqual([
      { id: 'akashgen', object: 'model', created: expect.any(Number), owned_by: 'akashgen' },
    ])
  })

  it('retrieves the model by its id', async () => {
    const gateway = await harness.openGateway()
    expect(await openAIFor(gateway).models.retrieve('akashgen')).toMatchObject({
      id: 'akashgen',
      object: 'model',
    })
  })

  it('answers another id with a 404 naming the model parameter', async () => {
    const gateway = await harness.openGateway()
    const error = await rejectionOf(openAIFor(gateway).models.retrieve('dall-e-3'))
    expect(error).toBeInstanceOf(OpenAI.NotFoundError)
    expect(error).toMatchObject({
      status: 404,
      param: 'model',
      code: 'not_found',
      type: 'invalid_request_error',
    })
  })
})
