// Whose an Idempotency-Key is: the verified API key however it is sent, else the client's address.
import { describe, expect, it } from 'vitest'
import { requestFrom } from '../support/from-address.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

const KEY = 'scope-key-a-0123456789abcdef'
const OTHER_KEY = 'scope-key-b-fedcba9876543210'

/** `POST /api/generate` from `address` with `headers`; the job id and status it answered. */
async function generateFrom(address: string, url: string, headers: Record<string, string>) {
  const answer = await requestFrom(address, `${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ prompt: 'the same request' }),
  })
  return {
    status: answer.status,
    jobId: answer.headers['x-job-id'],
    replayed: answer.headers['idempotent-replayed'],
  }
}

describe('the scope of an Idempotency-Key', () => {
  it('in open mode, two clients at different addresses with one key each get their own job', async () => {
    const gateway = await harness.openGateway()
    const key = { 'idempotency-key': `shared-${crypto.randomUUID()}` }
    const first = await generateFrom('127.0.0.1', gateway.url, key)
    const second = await generateFrom('127.0.0.2', gateway.url, key)
    expect([first.status, second.status]).toEqual([200, 200])
    expect(second.jobId).not.toBe(first.jobId)
    expect(second.replayed).toBeUndefined()
    expect(harness.emulator.counters.submissions).toBe(2)
    // The first client's repeat is still its own replay.
    const again = await generateFrom('127.0.0.1', gateway.url, key)
    expect(again).toMatchObject({ status: 200, jobId: first.jobId, replayed: 'true' })
    expect(harness.emulator.counters.submissions).toBe(2)
  })

  it('with API keys, `Bearer K`, `bearer  K` and `x-api-key: K` are one scope, and another key is another', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_API_KEYS: `${KEY},${OTHER_KEY}` })
    const key = { 'idempotency-key': `shared-${crypto.randomUUID()}` }
    const answers = [
      await generateFrom('127.0.0.1', gateway.url, { ...key, authorization: `Bearer ${KEY}` }),
      await generateFrom('127.0.0.1', gateway.url, { ...key, authorization: `bearer  ${KEY}` }),
      await generateFrom('127.0.0.2', gateway.url, { ...key, 'x-api-key': KEY }),
    ]
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200])
    expect(new Set(answers.map((answer) => answer.jobId)).size).toBe(1)
    expect(answers.map((answer) => answer.replayed)).toEqual([undefined, 'true', 'true'])
    const other = await generateFrom('127.0.0.1', gateway.url, {
      ...key,
      authorization: `Bearer ${OTHER_KEY}`,
    })
    expect(other.status).toBe(200)
    expect(other.jobId).not.toBe(answers[0]?.jobId)
    expect(harness.emulator.counters.submissions).toBe(2)
  })
})
