/** No DNS rebinding: an attempt connects to the address its check resolved, never to a second DNS answer. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { Destinations } from '../../server/webhooks/destination.ts'
import type { DeliveryTask } from '../../server/webhooks/queue.ts'
import { sendAttempt } from '../../server/webhooks/send.ts'

let server: Server | undefined
afterEach(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))))

it('sends to the checked address even when the host name would resolve elsewhere now', async () => {
  const hits: string[] = []
  server = createServer((request, response) => {
    hits.push(request.headers.host ?? '')
    response.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const task: DeliveryTask = {
    jobId: 'j',
    event: 'succeeded',
    attempt: 1,
    url: `http://localhost:${port}/hooks`,
    messageId: 'msg_j.succeeded',
    body: '{}',
  }
  const deps = { key: Buffer.alloc(32), timeoutMs: 2000, stop: new AbortController().signal }
  // The real check: localhost is allowed, and resolves to loopback, where the receiver listens.
  const real = await sendAttempt(task, { ...deps, destinations: new Destinations(['localhost']) })
  expect(real).toMatchObject({ ok: true, lastStatusCode: 204 })
  // A check that resolved to 127.0.0.2 (nothing listens there): the attempt goes there, not to what DNS says now.
  const checked = {
    resolve: async (url: string) => ({ url: new URL(url), address: '127.0.0.2', family: 4 as const }),
  }
  const pinned = await sendAttempt(task, { ...deps, destinations: checked as unknown as Destinations })
  expect(pinned).toMatchObject({ ok: false, lastError: 'ECONNREFUSED' })
  expect(hits).toEqual([`localhost:${port}`])
})
