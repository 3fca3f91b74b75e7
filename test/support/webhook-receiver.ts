/** A webhook receiver for tests: a node:http server on loopback that verifies each delivery with `standardwebhooks`. */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { WebhookPayload } from '@akashgen/contract'
import { Webhook } from 'standardwebhooks'

/** A secret in the form AKASHGEN_WEBHOOK_SECRET takes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`

/** One request the receiver got: when, its headers, and its payload once verified (undefined if it was not). */
export interface ReceivedDelivery {
  at: number
  headers: IncomingHttpHeaders
  payload: WebhookPayload | undefined
  /** Why verification failed, when it did. */
  problem?: string
  /** The status the receiver answered. */
  answered: number
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string
  received: ReceivedDelivery[]
  close(): Promise<void>
}

/**
 * Starts a receiver verifying with `secret`. `answers` are the statuses of the first requests, in order
 * (204 once they run out); a failed verification answers 400.
 */
export async function startWebhookReceiver(
  secret: string,
  answers: number[] = [],
  path = '/hooks',
): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret)
  const received: ReceivedDelivery[] = []
  const pending = [...answers]
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const delivery: ReceivedDelivery = {
        at: Date.now(),
        headers: request.headers,
        payload: undefined,
        answered: 0,
      }
      try {
        delivery.payload = verifier.verify(body, request.headers as Record<string, string>) as WebhookPayload
        delivery.answered = pending.shift() ?? 204
      } catch (error) {
        delivery.problem = (error as Error).message
        delivery.answered = 400
      }
      received.push(delivery)
      response.writeHead(delivery.answered).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
