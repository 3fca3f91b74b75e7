/** Where the gateway listens and what it accepts at the HTTP edge: proxies, origins, timeouts, connections. */
import { isIP } from 'node:net'
import { TRPC_MAX_BATCH } from '@akashgen/contract'
import { z } from 'zod'
import { configGroup, intVar, textVar } from './define.ts'

/** `*`, or comma-separated exact origins such as `https://app.example.com` (scheme, host, port; no path). */
const corsOrigins = z
  .string()
  .transform((v) => (v.trim() === '*' ? '*' : v.split(',').map((origin) => origin.trim())))
  .refine(
    (v) =>
      v === '*' ||
      (v.length > 0 && v.every((o) => URL.canParse(o) && new URL(o).origin === o.replace(/\/$/, ''))),
  )

/** One address (`10.0.0.7`, `::1`) or CIDR block (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (bits === undefined) return true
  const n = Number(bits)
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128)
}
/** Fastify's `trustProxy`: a hop count (`1`), or the proxies' addresses and CIDR blocks. */
const trustedProxies = z
  .string()
  .transform((v) => (/^\d+$/.test(v.trim()) ? Number(v) : v.split(',').map((entry) => entry.trim())))
  .refine((v) => (typeof v === 'number' ? v >= 1 && v <= 100 : v.every(isAddressOrCidr)))
/** An http(s) origin (scheme, host, optional port): no path, query or credentials. */
const publicOrigin = z
  .string()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol))
  .transform((v) => new URL(v))
  .refine((url) => url.origin === `${url.protocol}//${url.host}` && `${url.origin}/` === url.href)
  .transform((url) => url.origin)

/** Listening address, proxies, public origin, CORS and the limits on connections and requests. */
export const listening = configGroup(
  'Listening and the HTTP edge',
  'Where the gateway listens, whom it trusts in front of it, and what it accepts per connection and request.',
  {
    PORT: intVar({ unit: 'port', min: 0, max: 65535, default: 6571, meaning: 'TCP port to listen on' }),
    HOST: textVar(z.string().min(1), {
      must: 'a host name or address to listen on',
      default: '0.0.0.0',
      meaning: 'address to listen on (`0.0.0.0`: every IPv4 interface; `127.0.0.1`: this machine only)',
    }),
    AKASHGEN_PUBLIC_URL: textVar(publicOrigin, {
      must: 'an http(s) origin without a path, such as https://images.example.com',
      unset: "the request's host",
      meaning: 'origin of the absolute URLs the API returns (image and job links)',
    }),
    AKASHGEN_TRUST_PROXY: textVar(trustedProxies, {
      must: 'a hop count 1-100, or comma-separated proxy addresses and CIDR blocks such as 10.0.0.0/8',
      unset: 'trust nobody',
      meaning: 'proxies whose `X-Forwarded-*` headers count (client address, scheme and host behind them)',
    }),
    AKASHGEN_CORS_ORIGINS: textVar(corsOrigins, {
      must: '"*" or comma-separated origins such as https://app.example.com',
      unset: 'CORS off',
      meaning: 'exact origins allowed to call the API from a browser',
    }),
    AKASHGEN_REQUEST_TIMEOUT_MS: intVar({
      unit: 'milliseconds',
      min: 100,
      max: 600_000,
      default: 30_000,
      meaning: "time for a request's headers and body to arrive; then `408` and the connection is closed",
    }),
    AKASHGEN_MAX_CONNECTIONS: intVar({
      min: 0,
      max: 1_000_000,
      default: 10_000,
      zero: 'no cap',
      meaning: 'open connections at once; more are closed as they come',
    }),
    AKASHGEN_TRPC_MAX_BATCH: intVar({
      min: 1,
      max: 500,
      default: TRPC_MAX_BATCH,
      meaning: 'most calls in one tRPC batch request; more is `400 INVALID_REQUEST`, counted as one call',
    }),
  },
)
