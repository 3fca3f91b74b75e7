/** What a webhook must be to be accepted: a public or allowed destination, a gateway with a secret; every surface. */
import { createAkashGenClient } from '@akashgen/client'
import { afterEach, describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { newWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'
import { FAST_RETRIES, receivedAtLeast, settledView, submit } from './support.ts'

const harness = useGatewayHarness()
const receivers: WebhookReceiver[] = []
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()))
})

/** The 400 body of a refused submit. */
async function refusal(response: Response) {
  expect(response.status).toBe(400)
  return (await response.json()) as {
    code: string
    error: string
    details: { fieldErrors: Record<string, string[]> }
  }
}

describe('webhook admission', () => {
  it.each([
    ['a loopback', 'http://127.0.0.1:9/hooks'],
    ['a name for loopback', 'http://localhost:9/hooks'],
    ['a link-local (cloud metadata)', 'http://169.254.169.254/latest/meta-data'],
    ['a private', 'https://10.1.2.3/hooks'],
    ['a carrier-grade NAT', 'http://100.64.0.1/hooks'],
    ['an unspecified', 'http://0.0.0.0:6571/hooks'],
    ['a decimal IPv4 for loopback', 'http://2130706433/hooks'],
    ['an IPv6 loopback', 'http://[::1]:9/hooks'],
    ['an IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]:9/hooks'],
    ['an IPv6 unique local', 'http://[fd00::1]/hooks'],
  ])('refuses %s destination with 400 naming webhook.url', async (_name, url) => {
    const gateway = await harness.openGateway({ AKASHGEN_WEBHOOK_SECRET: newWebhookSecret() })
    const body = await refusal(await submit(gateway, { prompt: 'nope', webhook: { url } }))
    expect(body.code).toBe('INVALID_REQUEST')
    expect(body.details.fieldErrors['webhook.url']?.[0]).toMatch(/private, loopback or link-local/)
    expect(harness.emulator.counters.submissions).toBe(0)
  })

  it.each([
    ['not http(s)', { url: 'ftp://example.com/hooks' }],
    ['with credentials', { url: 'https://user:secret@example.com/hooks' }],
    ['not a URL', { url: 'example.com/hooks' }],
    ['an unknown event', { url: 'https://example.com/hooks', events: ['finished'] }],
    ['an unknown field', { url: 'https://example.com/hooks', secret: 'x' }],
  ])('refuses a webhook %s by name', async (_name, webhook) => {
    const gateway = await harness.openGateway({ AKASHGEN_WEBHOOK_SECRET: newWebhookSecret() })
    const body = await refusal(await submit(gateway, { prompt: 'nope', webhook }))
    expect(body.code).toBe('INVALID_REQUEST')
    expect(body.error).toMatch(/webhook/)
    expect(Object.keys(body.details.fieldErrors)).toEqual(['webhook'])
  })

  it('refuses any webhook when the gateway has no secret to sign with', async () => {
    const gateway = await harness.openGateway()
    const body = await refusal(
      await submit(gateway, { prompt: 'unsigned', webhook: { url: 'https://example.com/hooks' } }),
    )
    expect(body.error).toMatch(/AKASHGEN_WEBHOOK_SECRET/)
    expect(body.details.fieldErrors.webhook).toHaveLength(1)
  })

  it('takes the webhook through tRPC generate and the /v1 extension field', async () => {
    const secret = newWebhookSecret()
    const receiver = await startWebhookReceiver(secret)
    receivers.push(receiver)
    const gateway = await harness.openGateway({ AKASHGEN_WEBHOOK_SECRET: secret, ...FAST_RETRIES })
    const client = createAkashGenClient({ url: gateway.url })
    const { jobId } = await client.generate.mutate({ prompt: 'via tRPC', webhook: { url: receiver.url } })
    const viaTrpc = await settledView(gateway, jobId)
    expect(viaTrpc.webhook?.deliveries[0]?.state).toBe('delivered')
    expect((await client.jobStatus.query({ jobId })).webhook?.deliveries[0]?.type).toBe('job.succeeded')

    const openai = await fetch(`${gateway.url}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'via OpenAI', n: 2, webhook: { url: receiver.url } }),
    })
    expect(openai.status).toBe(200)
    await receivedAtLeast(receiver, 3)
    const ids = new Set(receiver.received.map((r) => r.payload?.data.jobId))
    expect(ids.size).toBe(3)
    expect(receiver.received.every((r) => r.problem === undefined)).toBe(true)

    const refused = await client.generate
      .mutate({ prompt: 'x', webhook: { url: 'http://10.0.0.1/' } })
      .then(() => new Error('accepted'))
      .catch((error: Error & { data?: { code?: string } }) => error)
    expect(refused.message).toMatch(/webhook\.url/)
    const v1 = await fetch(`${gateway.url}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x', webhook: { url: 'http://192.168.1.1/' } }),
    })
    expect(v1.status).toBe(400)
    expect(((await v1.json()) as { error: { message: string } }).error.message).toMatch(/webhook\.url/)
  })
})
