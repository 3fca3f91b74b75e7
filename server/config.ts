/** The gateway's configuration: one zod schema over the environment, read once at start-up. */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { TRPC_MAX_BATCH } from '@akashgen/contract'
import { z } from 'zod'

const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().positive()
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://gen.akash.network' })
  .transform((u) => u.replace(/\/+$/, ''))

/** An API key: 16-512 visible ASCII characters (it travels in a header), no commas (the list separator). */
const API_KEY = /^[\x21-\x2b\x2d-\x7e]{16,512}$/
const apiKeyList = (keys: string[]) => keys.length > 0 && keys.every((key) => API_KEY.test(key))
/** Reads a key file: one key per line; blank lines and `#` comments are skipped. Unreadable: no keys (refused). */
function readKeyFile(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
  } catch {
    return []
  }
}
const truthy = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
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

/** The environment variables the gateway reads, with their defaults. */
export const ConfigSchema = z.object({
  PORT: port.default(6571).describe('an integer port 0-65535'),
  HOST: z.string().min(1).default('0.0.0.0').describe('a host name or address to listen on'),
  AKASHGEN_UPSTREAM_URL: httpUrl.default('https://gen.akash.network').describe('an http(s) URL'),
  AKASHGEN_MAX_CONCURRENT: positiveInt.max(10_000).default(10).describe('an integer 1-10000'),
  AKASHGEN_MAX_QUEUE: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(100)
    .describe('an integer 0-1000000'),
  AKASHGEN_MAX_JOBS_PER_CLIENT: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .optional()
    .describe('an integer 0-1000000 (0: no per-client cap; unset: a quarter of slots + queue)'),
  AKASHGEN_MAX_STREAMS_PER_CLIENT: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(50)
    .describe('an integer 0-1000000 (0: no per-client cap)'),
  AKASHGEN_JOB_TIMEOUT_MS: positiveInt
    .min(1000)
    .max(3_600_000)
    .default(300_000)
    .describe('milliseconds, 1000-3600000'),
  AKASHGEN_SUBMIT_TIMEOUT_MS: positiveInt.max(600_000).default(30_000).describe('milliseconds, 1-600000'),
  AKASHGEN_STATUS_TIMEOUT_MS: positiveInt.max(600_000).default(10_000).describe('milliseconds, 1-600000'),
  AKASHGEN_IMAGE_TIMEOUT_MS: positiveInt.max(600_000).default(60_000).describe('milliseconds, 1-600000'),
  AKASHGEN_POLL_INTERVAL_MS: positiveInt.max(60_000).default(500).describe('milliseconds, 1-60000'),
  AKASHGEN_STATUS_RPS: positiveInt.max(1000).default(5).describe('an integer 1-1000'),
  AKASHGEN_UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(10).default(2).describe('an integer 0-10'),
  AKASHGEN_UPSTREAM_RETRY_BASE_MS: positiveInt.max(60_000).default(250).describe('milliseconds, 1-60000'),
  AKASHGEN_CIRCUIT_FAILURES: positiveInt.max(1000).default(5).describe('an integer 1-1000'),
  AKASHGEN_CIRCUIT_WINDOW_MS: positiveInt.max(3_600_000).default(30_000).describe('milliseconds, 1-3600000'),
  AKASHGEN_CIRCUIT_COOLDOWN_MS: positiveInt.max(600_000).default(5_000).describe('milliseconds, 1-600000'),
  AKASHGEN_CIRCUIT_MAX_COOLDOWN_MS: positiveInt
    .max(3_600_000)
    .default(60_000)
    .describe('milliseconds, 1-3600000'),
  AKASHGEN_MAX_IMAGE_BYTES: positiveInt
    .max(1 << 30)
    .default(20 * 1024 * 1024)
    .describe('bytes, 1-1073741824'),
  AKASHGEN_MAX_IMAGE_DOWNLOADS: positiveInt
    .max(10_000)
    .optional()
    .describe('an integer 1-10000 (unset: AKASHGEN_MAX_CONCURRENT)'),
  AKASHGEN_RETENTION_MS: positiveInt
    .max(7 * 86_400_000)
    .default(3_600_000)
    .describe('milliseconds, 1-604800000'),
  AKASHGEN_IMAGE_CACHE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(64 * 1024 ** 3)
    .default(256 * 1024 * 1024)
    .describe('bytes, 0-68719476736'),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' })
    .optional()
    .describe('a redis:// or rediss:// URL'),
  AKASHGEN_REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]{1,64}$/)
    .default('akashgen')
    .describe('1-64 letters, digits, ".", "-" or "_"'),
  AKASHGEN_REDIS_LOCK_MS: positiveInt
    .min(500)
    .max(600_000)
    .default(30_000)
    .describe('milliseconds, 500-600000'),
  AKASHGEN_API_KEYS: z
    .string()
    .transform((v) => v.split(',').map((key) => key.trim()))
    .refine(apiKeyList)
    .optional()
    .describe('comma-separated keys, each 16-512 visible ASCII characters without commas'),
  AKASHGEN_API_KEYS_FILE: z
    .string()
    .transform(readKeyFile)
    .refine(apiKeyList)
    .optional()
    .describe('a readable file with one key per line (16-512 visible ASCII characters; # comments allowed)'),
  AKASHGEN_PROTECT_OPS: truthy.default(false).describe('true or false'),
  AKASHGEN_RATE_LIMIT: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(600)
    .describe('an integer 0-1000000 (0: no limit)'),
  AKASHGEN_RATE_LIMIT_WINDOW_MS: positiveInt
    .min(1000)
    .max(86_400_000)
    .default(60_000)
    .describe('milliseconds, 1000-86400000'),
  AKASHGEN_AUTH_FAILURES_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(20)
    .describe('an integer 0-100000 (0: no limit)'),
  AKASHGEN_TRPC_MAX_BATCH: positiveInt.max(500).default(TRPC_MAX_BATCH).describe('an integer 1-500'),
  AKASHGEN_REQUEST_TIMEOUT_MS: positiveInt
    .min(100)
    .max(600_000)
    .default(30_000)
    .describe('milliseconds, 100-600000'),
  AKASHGEN_MAX_CONNECTIONS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(10_000)
    .describe('an integer 0-1000000 (0: no cap)'),
  AKASHGEN_TRUST_PROXY: trustedProxies
    .optional()
    .describe('a hop count 1-100, or comma-separated proxy addresses and CIDR blocks such as 10.0.0.0/8'),
  AKASHGEN_PUBLIC_URL: publicOrigin
    .optional()
    .describe('an http(s) origin without a path, such as https://images.example.com'),
  AKASHGEN_CORS_ORIGINS: corsOrigins
    .optional()
    .describe('"*" or comma-separated origins such as https://app.example.com'),
  SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(10_000)
    .describe('milliseconds, 0-600000'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('one of fatal, error, warn, info, debug, trace, silent'),
})

/** Variables whose values are secrets, never printed. */
const SECRET = new Set<string>(['AKASHGEN_API_KEYS'])

/** The parsed configuration. */
export type Config = z.infer<typeof ConfigSchema>

/** A configuration error: its message is the one line printed before the process exits. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses the environment; throws a ConfigError naming the first bad variable and what it must be. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    // Blank counts as unset: z.coerce.number() would read " " as 0, a random port or no queue at all.
    Object.keys(ConfigSchema.shape).map((key) => [key, env[key]?.trim() === '' ? undefined : env[key]]),
  )
  const parsed = ConfigSchema.safeParse(known)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const name = String(issue?.path[0] ?? 'configuration') as keyof typeof ConfigSchema.shape
  const expected = ConfigSchema.shape[name]?.description ?? issue?.message
  // A key list is a secret: the line names the variable but never echoes its value.
  const shown = SECRET.has(name) ? ' (value hidden)' : `=${JSON.stringify(env[name])}`
  throw new ConfigError(`Invalid ${name}${shown}: must be ${expected}`)
}

/**
 * Jobs one client (an API key, or an address in open mode) may have queued or running at once; 0 is no cap.
 * Unset, it keeps any one client below a quarter of the slots and places: a burst from one leaves room for others.
 */
export function maxJobsPerClient(config: Config): number {
  const configured = config.AKASHGEN_MAX_JOBS_PER_CLIENT
  if (configured !== undefined) return configured
  return Math.max(1, Math.floor((config.AKASHGEN_MAX_CONCURRENT + config.AKASHGEN_MAX_QUEUE) / 4))
}
