/** `POST /v1/images/generations` through the official OpenAI SDK, against the gateway and the emulator. */
import OpenAI, { type APIError, type RateLimitError } from 'openai'
import type { ImageGenerateParamsNonStreaming } from 'openai/resources/images'
import { describe, expect, it, vi } from 'vitest'
import { servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { healthOf, openAIFor, rejectionOf } from './support.ts'

const harness = useGatewayHarness()

/** The SDK's params plus this gateway's extensions, which the SDK sends as given. */
type Params = ImageGenerateParamsNonStreaming & {
  negative_prompt?: string
  sampler?: string
  scheduler?: string
}

describe('generating images with the OpenAI SDK', () => {
  it('b64_json answers exactly the bytes the upstream made', async () => {
    const gateway = await harness.openGateway()
    const response = await openAIFor(gateway).images.generate({
      prompt: 'a red fox in the snow',
      response_format: 'b64_json',
    })
    expect(response.created).toBeGreaterThan(0)
    expect(response.data).toHaveLength(1)
    const b64 = response.data?.[0]?.b64_json ?? ''
    const served = await servedImage(
      harness.emulator,
      upstreamJobFor(harness.emulator, 'a red fox in the snow'),
    )
    expect(served.bytes.byteLength).toBeGreaterThan(0)
    expect(Buffer.from(b64, 'base64').equals(served.bytes)).toBe(true)
  })

  it('url (the default) answers an absolute URL on this gateway that serves the same bytes', async () => {
    const gateway = await harness.openGateway()
    const response = await openAIFor(gateway).images.generate({ prompt: 'a lighthouse at dawn' })
    const url = response.data?.[0]?.url ?? ''
    expect(url).toMatch(new RegExp(`^${gateway.url}/api/jobs/[0-9a-f-]{36}/image$`))
    expect(response.data?.[0]?.b64_json).toBeUndefined()
    const image = await fetch(url)
    expect(image.status).toBe(200)
    const served = await servedImage(
      harness.emulator,
      upstreamJobFor(harness.emulator, 'a lighthouse at dawn'),
    )
    expect(Buffer.from(await image.arrayBuffer()).equals(served.bytes)).toBe(true)
  })

  it('n=2 makes two images from two upstream jobs', async () => {
    const gateway = await harness.openGateway()
    const { data: response, response: raw } = await openAIFor(gateway)
      .images.generate({ prompt: 'twin peaks', n: 2 })
      .withResponse()
    const urls = (response.data ?? []).map((image) => image.url)
    expect(urls).toHaveLength(2)
    expect(new Set(urls).size).toBe(2)
    const jobIds = raw.headers.get('x-job-id')?.split(', ') ?? []
    expect(urls).toEqual(jobIds.map((jobId) => `${gateway.url}/api/jobs/${jobId}/image`))
    expect(harness.emulator.counters.submissions).toBe(2)
    const upstream = harness.emulator.jobs().filter((job) => job.prompt === 'twin peaks')
    expect(new Set(upstream.map((job) => job.jobId)).size).toBe(2)
    // The emulator draws its image from the prompt alone, so here both jobs' bytes are the same picture.
    const served = await servedImage(harness.emulator, upstream[0] ?? upstreamJobFor(harness.emulator, ''))
    for (const url of urls) {
      const image = await fetch(url ?? '')
      expect(Buffer.from(await image.arrayBuffer()).equals(served.bytes)).toBe(true)
    }
  })

  it('negative_prompt, sampler (an AUTOMATIC1111 alias) and scheduler reach the upstream', async () => {
    const gateway = await harness.openGateway()
    const params: Params = {
      prompt: '  a quiet harbour  ',
      model: 'akashgen',
      size: '1024x1024',
      negative_prompt: 'blurry, low quality',
      sampler: 'DPM++ 2M Karras',
      response_format: 'b64_json',
    }
    await openAIFor(gateway).images.generate(params)
    expect(upstreamJobFor(harness.emulator, 'a quiet harbour')).toMatchObject({
      negative: 'blurry, low quality',
      sampler: 'dpmpp_2m',
      scheduler: 'karras',
    })
  })

  it('an explicit scheduler wins over the one the sampler alias implies', async () => {
    const gateway = await harness.openGateway()
    const params: Params = { prompt: 'a windmill', sampler: 'Euler a', scheduler: 'beta' }
    await openAIFor(gateway).images.generate(params)
    expect(upstreamJobFor(harness.emulator, 'a windmill')).toMatchObject({
      sampler: 'euler_ancestral',
      scheduler: 'beta',
    })
  })

  it('user, quality and style are accepted and ignored', async () => {
    const gateway = await harness.openGateway()
    const response = await openAIFor(gateway).images.generate({
      prompt: 'a paper boat',
      user: 'someone',
      quality: 'hd',
      style: 'vivid',
    })
    expect(response.data).toHaveLength(1)
    expect(harness.emulator.counters.submissions).toBe(1)
  })
})

describe('when things go wrong upstream or in admission', () => {
  it('a failed upstream job is a 502 with our code, and the SDK does not retry it', async () => {
    harness.emulator.configure({ failRate: 1 })
    const gateway = await harness.openGateway()
    // The SDK's default retries are on: x-should-retry: false must stop them.
    const error = await rejectionOf(
      openAIFor(gateway, { maxRetries: 2 }).images.generate({ prompt: 'doomed' }),
    )
    expect(error).toBeInstanceOf(OpenAI.InternalServerError)
    expect(error).toMatchObject({ status: 502, code: 'job_failed', type: 'server_error', param: null })
    expect((error as APIError).message).toMatch(/upstream job failed/)
    expect(harness.emulator.counters.submissions).toBe(1)
  })

  it('a full queue is a 429 QUEUE_FULL with Retry-After, and the images already accepted are cancelled', async () => {
    harness.emulator.configure({ runMs: 10_000 })
    const gateway = await harness.openGateway({
      AKASHGEN_MAX_CONCURRENT: '1',
      AKASHGEN_MAX_QUEUE: '1',
      AKASHGEN_MAX_JOBS_PER_CLIENT: '0',
    })
    // One slot and one place in line: the third image of the request is refused.
    const error = await rejectionOf(openAIFor(gateway).images.generate({ prompt: 'too many', n: 3 }))
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    const rateLimit = error as RateLimitError
    expect(rateLimit).toMatchObject({ status: 429, code: 'queue_full', type: 'rate_limit_error' })
    expect(Number(rateLimit.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1)
    await vi.waitFor(async () => expect(await healthOf(gateway)).toEqual({ inUse: 0, queued: 0 }))
  })

  it("over the caller's share is 429 client_limit, and the images already accepted give their places back", async () => {
    harness.emulator.configure({ runMs: 10_000, workers: 64 })
    const gateway = await harness.openGateway({ AKASHGEN_MAX_JOBS_PER_CLIENT: '2' })
    const error = await rejectionOf(openAIFor(gateway).images.generate({ prompt: 'over the share', n: 3 }))
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    const rateLimit = error as RateLimitError
    expect(rateLimit).toMatchObject({ status: 429, code: 'client_limit', type: 'rate_limit_error' })
    expect(rateLimit.message).toContain('AKASHGEN_MAX_JOBS_PER_CLIENT')
    expect(Number(rateLimit.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1)
    // The two accepted images were cancelled, so their places came back: two fit again.
    harness.emulator.configure({ runMs: 60 })
    await vi.waitFor(async () => expect(await healthOf(gateway)).toEqual({ inUse: 0, queued: 0 }))
    const again = await openAIFor(gateway).images.generate({ prompt: 'within the share', n: 2 })
    expect(again.data).toHaveLength(2)
  })

  it('a caller who aborts cancels every job of the request', async () => {
    harness.emulator.configure({ runMs: 10_000 })
    const gateway = await harness.openGateway()
    const controller = new AbortController()
    const call = rejectionOf(
      openAIFor(gateway).images.generate({ prompt: 'never mind', n: 2 }, { signal: controller.signal }),
    )
    await vi.waitFor(async () => {
      expect(harness.emulator.counters.submissions).toBe(2)
      expect((await healthOf(gateway)).inUse).toBe(2)
    })
    controller.abort()
    expect(await call).toBeInstanceOf(OpenAI.APIUserAbortError)
    await vi.waitFor(async () => expect((await healthOf(gateway)).inUse).toBe(0))
    const accepted = gateway.logs.filter((line) => line.msg === 'job accepted').map((line) => line.jobId)
    expect(accepted).toHaveLength(2)
    for (const jobId of accepted) {
      const job = (await (await fetch(`${gateway.url}/api/jobs/${jobId}`)).json()) as object
      expect(job).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } })
    }
  })
})
