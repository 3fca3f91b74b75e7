// tRPC batches are capped (AKASHGEN_TRPC_MAX_BATCH): a bigger one is refused for the price of one call.
import { TRPC_MAX_BATCH } from '@akashgen/contract'
import { describe, expect, it } from 'vitest'
import { createAkashGenClient } from '../../client/index.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

type TRPCErrorBody = {
  error: { json: { message: string; data: { errorCode: string; details?: Record<string, unknown> } } }
}

const batchOf = (calls: number, name = 'health') => Array.from({ length: calls }, () => name).join(',')

describe('tRPC batch size', () => {
  it('refuses a batch over the cap with 400 INVALID_REQUEST naming the limit, counted as one call', async () => {
    const gateway = await harness.openGateway({
      AKASHGEN_TRPC_MAX_BATCH: '5',
      AKASHGEN_RATE_LIMIT: '100',
      AKASHGEN_RATE_LIMIT_WINDOW_MS: '600000',
    })
    const refused = await fetch(`${gateway.url}/trpc/${batchOf(6)}?batch=1&input={}`)
    expect(refused.status).toBe(400)
    expect(refused.headers.get('ratelimit-remaining')).toBe('99')
    const body = (await refused.json()) as TRPCErrorBody
    expect(body.error.json.data.errorCode).toBe('INVALID_REQUEST')
    expect(body.error.json.data.details).toMatchObject({
      limit: 5,
      calls: 6,
      variable: 'AKASHGEN_TRPC_MAX_BATCH',
    })
    const allowed = await fetch(`${gateway.url}/trpc/${batchOf(5)}?batch=1&input={}`)
    expect(allowed.status).toBe(200)
    expect(allowed.headers.get('ratelimit-remaining')).toBe('94')
  })

  it('answers a 4,900-call batch of unknown procedures (a 5 KB URL) with one short error', async () => {
    const gateway = await harness.openGateway()
    const response = await fetch(`${gateway.url}/trpc/${','.repeat(4899)}?batch=1&input={}`)
    expect(response.status).toBe(400)
    const text = await response.text()
    expect(text.length).toBeLessThan(2000)
    expect(text).toContain('INVALID_REQUEST')
  })

  it('the client splits a larger batch into requests the default cap allows', async () => {
    const gateway = await harness.openGateway()
    const client = createAkashGenClient({ url: gateway.url })
    const answers = await Promise.all(
      Array.from({ length: TRPC_MAX_BATCH + 10 }, () => client.health.query()),
    )
    expect(answers.every((health) => health.status === 'ok')).toBe(true)
  })
})
