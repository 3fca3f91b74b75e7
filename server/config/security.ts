/** Who may call the gateway: API keys, whether the ops routes need one, and the request and failure limits. */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { configGroup, flagVar, intVar, textVar } from './define.ts'

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

/** API keys, protection of the ops routes, the rate limit and the wrong-key limit. */
export const security = configGroup(
  'Security and rate limits',
  'Without keys the API is open (fine on a trusted network); with keys every API route needs one, as `Authorization: Bearer <key>` or `x-api-key`.',
  {
    AKASHGEN_API_KEYS: textVar(
      z
        .string()
        .transform((v) => v.split(',').map((key) => key.trim()))
        .refine(apiKeyList),
      {
        must: 'comma-separated keys, each 16-512 visible ASCII characters without commas',
        unset: 'open',
        secret: true,
        meaning: 'API keys; when set, every API route needs one',
      },
    ),
    AKASHGEN_API_KEYS_FILE: textVar(z.string().transform(readKeyFile).refine(apiKeyList), {
      must: 'a readable file with one key per line (16-512 visible ASCII characters; # comments allowed)',
      unset: 'no key file',
      meaning:
        'a file of API keys, one per line (`#` comments and blank lines skipped); adds to `AKASHGEN_API_KEYS`',
    }),
    AKASHGEN_PROTECT_OPS: flagVar({
      default: false,
      meaning: '`true`: `/health`, `/ready` and `/metrics` need a key too',
    }),
    AKASHGEN_RATE_LIMIT: intVar({
      min: 0,
      max: 1_000_000,
      default: 600,
      zero: 'no limit',
      meaning: 'requests per key (per client address when open) per window on `/api`, `/trpc` and `/v1`',
    }),
    AKASHGEN_RATE_LIMIT_WINDOW_MS: intVar({
      unit: 'milliseconds',
      min: 1000,
      max: 86_400_000,
      default: 60_000,
      meaning: 'the rate-limit window (counters shared through Redis when `REDIS_URL` is set)',
    }),
    AKASHGEN_AUTH_FAILURES_PER_MINUTE: intVar({
      min: 0,
      max: 100_000,
      default: 20,
      zero: 'no limit',
      meaning: 'wrong API keys per client address per minute before it gets `429` for the rest of the minute',
    }),
  },
)
