/** Receivers that misbehave: one that never answers, one that redirects, one that answers without end. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { newWebhookSecret } from '../support/webhook-receiver.ts'
import { FAST_RETRIES, settledView, submit } from './support.ts'

const harness = useGatewayHarness()
const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** A loopback server answering with `handle`; resolves with its URL and the paths it was asked for. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = []
  const server = createServer((request, response) => {
    paths.push(request.url ?? '')
    handle?.(request, response)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths }
}

const deliveryOf = async (env: Record<string, string>, url: string) => {
  const gateway = await harness.openGateway({
    AKASHGEN_WEBHOOK_SECRET: newWebhookSecret(),
    ...FAST_RETRIES,
    ...env,
  })
  const accepted = await submit(gateway, { prompt: 'a hostile receiver', webhook: { url } })
  const { jobId } = (await accepted.json()) as { jobId: string }
  const job = await settledView(gateway, jobId)
  expect(job.status).toBe('succeeded')
  return job.webhook?.deliveries[0]
}

describe('hostile webhook receivers', () => {
  it('one that never answers: each attempt ends at AKASHGEN_WEBHOOK_TIMEOUT_MS, and the delivery fails', async () => {
    const silent = await serve(() => {})
    const delivery = await deliveryOf({ AKASHGEN_WEBHOOK_TIMEOUT_MS: '200' }, `${silent.url}/hooks`)
    expect(delivery).toMatchObject({ state: 'failed', attempts: 3, lastError: 'no answer within 200 ms' })
    expect(silent.paths).toHaveLength(3)
  })

  it('one that redirects: the redirect is not followed and counts as a failure', async () => {
    const target = await serve((_request, response) => response.writeHead(204).end())
    const redirecting = await serve((_request, response) =>
      response.writeHead(307, { location: `${target.url}/elsewhere` }).end(),
    )
    const delivery = await deliveryOf({}, `${redirecting.url}/hooks`)
    expect(delivery).toMatchObject({ state: 'failed', attempts: 3, lastStatusCode: 307 })
    expect(target.paths).toEqual([])
  })

  it('one that answers 200 with an endless body: read up to the cap, then let go, delivered', async () => {
    const endless = await serve((_request, response) => {
      response.writeHead(200)
      const chunk = Buffer.alloc(64 * 1024, 'x')
      const pump = () => {
        while (response.write(chunk)) {}
      }
      response.on('drain', pump)
      pump()
    })
    const delivery = await deliveryOf({}, `${endless.url}/hooks`)
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, lastStatusCode: 200 })
  })
})
