/** An Idempotency-Key belongs to one route: the same key on REST, tRPC and OpenAI names three requests. */
import { createAkashGenClient } from '@akashgen/client'
import { describe, expect, it } from 'vitest'
import { openAIFor } from '../openai/support.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

describe('one Idempotency-Key on several routes', () => {
  it('REST, then tRPC, then OpenAI with one key and one prompt: three jobs, none replayed', async () => {
    const gateway = await harness.openGateway()
    const headers = { 'Idempotency-Key': `key-${crypto.randomUUID()}` }
    const prompt = 'one key, three routes'

    const rest = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ prompt }),
    })
    expect(rest.status).toBe(200)
    const restJobId = rest.headers.get('x-job-id')

    const trpc = await createAkashGenClient({ url: gateway.url, headers }).generate.mutate({ prompt })
    expect(trpc.jobId).not.toBe(restJobId)

    const openai = await openAIFor(gateway).images.generate({ prompt }, { headers }).withResponse()
    expect(openai.response.status).toBe(200)
    expect(openai.response.headers.get('idempotent-replayed')).toBeNull()
    expect([restJobId, trpc.jobId]).not.toContain(openai.response.headers.get('x-job-id'))

    await expect.poll(() => harness.emulator.counters.submittedPrompts).toEqual([prompt, prompt, prompt])
  })
})
