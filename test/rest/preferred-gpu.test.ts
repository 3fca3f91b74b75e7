/** `preferredGpu` (and the upstream's `preferred_gpu`) on `POST /api/generate`: checked, and sent upstream as given. */
import { randomUUID } from 'node:crypto'
import { DEFAULT_PREFERRED_GPUS, GPUS } from '@akashgen/contract'
import { beforeEach, describe, expect, it } from 'vitest'
import { upstreamJobFor } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()
let gateway: TestGateway
beforeEach(async () => {
  gateway = await harness.openGateway()
})

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('POST /api/generate with a GPU list', () => {
  it.each([
    ['preferredGpu', { preferredGpu: ['H100', 'A10'] }],
    ['preferred_gpu, the upstream spelling', { preferred_gpu: ['H100', 'A10'] }],
    ['both spellings, the same list', { preferredGpu: ['H100', 'A10'], preferred_gpu: ['H100', 'A10'] }],
  ])(
    '%s: the upstream is asked for exactly that list and a worker with one of them takes the job',
    async (_name, gpus) => {
      const prompt = `a GPU-picky fox ${randomUUID()}`
      const response = await post({ prompt, ...gpus })
      expect(response.status).toBe(200)
      const job = (await response.json()) as { status: string; worker: { gpu: string } }
      expect(job.status).toBe('succeeded')
      expect(job.worker.gpu).toBe('H100')
      expect(upstreamJobFor(harness.emulator, prompt).preferredGpu).toEqual(['H100', 'A10'])
    },
  )

  it('names are matched case-insensitively and sent in the table spelling', async () => {
    const prompt = `a case-blind fox ${randomUUID()}`
    expect((await post({ prompt, preferredGpu: ['v100-32gi', ' a100 '] })).status).toBe(200)
    expect(upstreamJobFor(harness.emulator, prompt).preferredGpu).toEqual(['V100-32Gi', 'A100'])
  })

  it('without a list the upstream gets the default one, as AkashGen clients send it', async () => {
    const prompt = `a default fox ${randomUUID()}`
    expect((await post({ prompt })).status).toBe(200)
    expect(upstreamJobFor(harness.emulator, prompt).preferredGpu).toEqual([...DEFAULT_PREFERRED_GPUS])
    expect(DEFAULT_PREFERRED_GPUS).toEqual(['RTX4090', 'A10', 'A100', 'V100-32Gi', 'H100'])
  })
})

describe('a bad GPU list is a 400 INVALID_REQUEST naming the field, and reaches no upstream', () => {
  it.each([
    ['an unknown GPU', { preferredGpu: ['RTX4090', 'TPUv5'] }, 'preferredGpu', ['"TPUv5"', GPUS.join(', ')]],
    ['an unknown GPU in preferred_gpu', { preferred_gpu: ['B200'] }, 'preferredGpu', ['"B200"']],
    ['an empty list', { preferredGpu: [] }, 'preferredGpu', ['at least one GPU', 'leave it out']],
    ['a repeated GPU', { preferredGpu: ['A100', 'a100'] }, 'preferredGpu', ['"A100" more than once']],
    ['a string, not a list', { preferredGpu: 'A100' }, 'preferredGpu', ['must be a list']],
    [
      'two spellings that differ',
      { preferredGpu: ['A100'], preferred_gpu: ['H100'] },
      'preferred_gpu',
      ['preferredGpu and preferred_gpu', 'differ'],
    ],
  ])('%s', async (_name, gpus, field, mentions) => {
    const response = await post({ prompt: 'a refused fox', ...gpus })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { code: string; error: string; details: { fieldErrors: object } }
    expect(body.code).toBe('INVALID_REQUEST')
    expect(Object.keys(body.details.fieldErrors)).toContain(field)
    for (const part of mentions) expect(body.error).toContain(part)
    expect(harness.emulator.counters.submissions).toBe(0)
  })
})

describe('Idempotency-Key and GPU lists', () => {
  it('the same key with another GPU list is another request: 409, not a replay of the first job', async () => {
    const key = { 'idempotency-key': `gpus-${randomUUID()}` }
    const first = await post({ prompt: 'an idempotent fox', preferredGpu: ['A100'] }, key)
    expect(first.status).toBe(200)
    const other = await post({ prompt: 'an idempotent fox', preferredGpu: ['H100'] }, key)
    expect(other.status).toBe(409)
    expect(await other.json()).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' })
    const again = await post({ prompt: 'an idempotent fox', preferred_gpu: ['A100'] }, key)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(harness.emulator.counters.submissions).toBe(1)
  })
})
