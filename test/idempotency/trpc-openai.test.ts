/** Idempotency-Key on the tRPC `generate` mutation and on the OpenAI facade (n jobs under one key). */
import { createAkashGenClient, generateImage } from '@akashgen/client'
import { describe, expect, it, vi } from 'vitest'
import { openAIFor, rejectionOf } from '../openai/support.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

const key = () => `key-${crypto.randomUUID()}`

describe('tRPC generate with an Idempotency-Key header', () => {
  it('returns the same job for the same input, and CONFLICT for another', async () => {
    const gateway = await harness.openGateway()
    const client = createAkashGenClient({ url: gateway.url, headers: { 'Idempotency-Key': key() } })
    const [a, b] = await Promise.all([
      client.generate.mutate({ prompt: 'a trpc fox' }),
      client.generate.mutate({ prompt: 'a trpc fox' }),
    ])
    expect(b.jobId).toBe(a.jobId)
    const again = await client.generate.mutate({ prompt: 'a trpc fox' })
    expect(again.jobId).toBe(a.jobId)
    const conflict = (await rejectionOf(client.generate.mutate({ prompt: 'another fox' }))) as {
      data?: { errorCode?: string; httpStatus?: number }
    }
    expect(conflict.data).toMatchObject({ errorCode: 'IDEMPOTENCY_CONFLICT', httpStatus: 409 })
    expect(harness.emulator.counters.submittedPrompts).toEqual(['a trpc fox'])
  })

  it("generateImage's idempotencyKey: a second call with the same key follows the same job", async () => {
    const gateway = await harness.openGateway()
    const idempotencyKey = key()
    const first = await generateImage({ prompt: 'a keyed lighthouse' }, { url: gateway.url, idempotencyKey })
    const second = await generateImage({ prompt: 'a keyed lighthouse' }, { url: gateway.url, idempotencyKey })
    expect(second.job.jobId).toBe(first.job.jobId)
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true)
    expect(harness.emulator.counters.submittedPrompts).toEqual(['a keyed lighthouse'])
    const fresh = await generateImage({ prompt: 'a keyed lighthouse' }, { url: gateway.url })
    expect(fresh.job.jobId).not.toBe(first.job.jobId)
  })

  it('submits every call without the header', async () => {
    const gateway = await harness.openGateway()
    const client = createAkashGenClient({ url: gateway.url })
    const a = await client.generate.mutate({ prompt: 'twice' })
    const b = await client.generate.mutate({ prompt: 'twice' })
    expect(b.jobId).not.toBe(a.jobId)
    // generate answers before the upstream submit: wait for both, so none lands in the next test's counts.
    await vi.waitFor(() => expect(harness.emulator.counters.submissions).toBe(2))
  })
})

describe('POST /v1/images/generations with an Idempotency-Key header', () => {
  it('maps one key to the whole answer: n=2 submits 2 jobs once, a repeat gets the same 2', async () => {
    const gateway = await harness.openGateway()
    const openai = openAIFor(gateway)
    const headers = { 'Idempotency-Key': key() }
    const request = { prompt: 'two lighthouses', n: 2 }
    const first = await openai.images.generate(request, { headers }).withResponse()
    const again = await openai.images.generate(request, { headers }).withResponse()
    expect(first.data.data?.map((image) => image.url)).toHaveLength(2)
    expect(again.data.data?.map((image) => image.url)).toEqual(first.data.data?.map((image) => image.url))
    expect(again.response.headers.get('x-job-id')).toBe(first.response.headers.get('x-job-id'))
    expect(again.response.headers.get('idempotent-replayed')).toBe('true')
    expect(harness.emulator.counters.submissions).toBe(2)
  })

  it('answers another request under the same key with 409 in OpenAI shape', async () => {
    const gateway = await harness.openGateway()
    const openai = openAIFor(gateway)
    const headers = { 'Idempotency-Key': key() }
    await openai.images.generate({ prompt: 'one' }, { headers })
    const error = (await rejectionOf(openai.images.generate({ prompt: 'one', n: 2 }, { headers }))) as {
      status: number
      error: { code: string; type: string }
    }
    expect(error.status).toBe(409)
    expect(error.error).toMatchObject({ code: 'idempotency_conflict' })
    expect(harness.emulator.counters.submissions).toBe(1)
  })

  it('documents the header on both routes in /openapi.json', async () => {
    const gateway = await harness.openGateway()
    const doc = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as {
      paths: Record<string, { post: { parameters?: { name: string; in: string }[] } }>
    }
    for (const path of ['/api/generate', '/v1/images/generations']) {
      const names = doc.paths[path]?.post.parameters?.map((p) => `${p.in}:${p.name}`)
      expect(names).toContain('header:Idempotency-Key')
    }
  })
})
