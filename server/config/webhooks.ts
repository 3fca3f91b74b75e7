/** Webhooks: the signing secret, which private hosts may receive them, the retry schedule and each attempt's timeout. */
import { z } from 'zod'
import { configGroup, intVar, textVar } from './define.ts'

/** `whsec_` and the base64 of 24-64 random bytes, as Standard Webhooks libraries generate and expect it. */
function isWebhookSecret(value: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value)
  if (!match?.[1]) return false
  const bytes = Buffer.from(match[1], 'base64')
  return bytes.length >= 24 && bytes.length <= 64
}

/** A host name or IP address as a URL carries it, lower-cased, IPv6 without brackets. */
const HOST = /^(?:[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*|[0-9a-f:.]{2,45})$/
const hostList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((host) =>
        host
          .trim()
          .toLowerCase()
          .replace(/^\[(.*)\]$/, '$1'),
      )
      .filter((host) => host !== ''),
  )
  .refine((hosts) => hosts.length > 0 && hosts.every((host) => HOST.test(host)))

/** The delays of a schedule like `5000,30000`: in ms, in order. */
export const retryDelays = (schedule: string): number[] =>
  schedule.split(',').map((delay) => Number(delay.trim()))

/** Delays between attempts, in ms: each 1 ms-1 day, at most 10 of them (read with `retryDelays`). */
const delayList = z.string().refine((schedule) => {
  const delays = retryDelays(schedule)
  return delays.length <= 10 && delays.every((ms) => Number.isInteger(ms) && ms >= 1 && ms <= 86_400_000)
})

/** The webhook variables. */
export const webhooks = configGroup(
  'Webhooks',
  'A generate request may carry `webhook: {url, events?}`; the gateway then POSTs each event there, signed per Standard Webhooks (see [Webhooks](webhooks.md)).',
  {
    AKASHGEN_WEBHOOK_SECRET: textVar(z.string().refine(isWebhookSecret), {
      must: '`whsec_` and the base64 of 24-64 random bytes (e.g. `whsec_$(openssl rand -base64 32)`)',
      unset: 'webhooks are refused (`400 INVALID_REQUEST` naming `webhook`)',
      secret: true,
      meaning:
        'the key every webhook delivery is signed with (`webhook-signature`); the receiver holds the same',
    }),
    AKASHGEN_WEBHOOK_ALLOW_HOSTS: textVar(hostList, {
      must: 'comma-separated host names or IP addresses, e.g. `127.0.0.1,hooks.internal`',
      unset: 'only public addresses',
      meaning:
        'hosts webhooks may reach even though they resolve to a private, loopback or link-local address',
    }),
    AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: textVar(delayList, {
      must: 'comma-separated milliseconds, 1-10 delays of 1-86400000 each',
      default: '5000,30000,120000,600000,1800000',
      meaning:
        'the wait before each retry of a failed delivery (each ±20 % jitter); one attempt plus one per delay',
    }),
    AKASHGEN_WEBHOOK_TIMEOUT_MS: intVar({
      unit: 'milliseconds',
      min: 100,
      max: 60_000,
      default: 10_000,
      meaning: 'how long one delivery attempt may take, connection to response, before it counts as failed',
    }),
  },
)
