/** Standard Webhooks signing: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the `whsec_` secret's bytes. */
import { createHmac } from 'node:crypto'

/** The key bytes of a `whsec_<base64>` secret (the config schema has checked its form). */
export const secretKey = (secret: string): Buffer => Buffer.from(secret.replace(/^whsec_/, ''), 'base64')

/** The three headers of one delivery attempt; `timestampS` is the attempt's time in Unix seconds. */
export function signatureHeaders(
  key: Buffer,
  messageId: string,
  timestampS: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const signature = createHmac('sha256', key).update(`${messageId}.${timestampS}.${body}`).digest('base64')
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': `v1,${signature}`,
  }
}
