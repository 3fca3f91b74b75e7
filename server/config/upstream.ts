/** How the gateway talks to AkashGen: where, how long each call may take, how often it polls and retries. */
import { z } from 'zod'
import { configGroup, intVar, textVar } from './define.ts'

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://gen.akash.network' })
  .transform((u) => u.replace(/\/+$/, ''))

/** The upstream's address, its call timeouts, the status rate, retries, the circuit breaker and image limits. */
export const upstream = configGroup(
  'Upstream (AkashGen)',
  'The upstream every job runs on: each call has its own timeout, status checks share one rate budget, and a circuit breaker stops calls to an upstream that does not answer.',
  {
    AKASHGEN_UPSTREAM_URL: textVar(httpUrl, {
      must: 'an http(s) URL',
      default: 'https://gen.akash.network',
      meaning: 'the upstream origin (point it at the emulator to work offline)',
    }),
    AKASHGEN_SUBMIT_TIMEOUT_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 600_000,
      default: 30_000,
      meaning: 'one upstream submit call',
    }),
    AKASHGEN_STATUS_TIMEOUT_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 600_000,
      default: 10_000,
      meaning: 'one upstream status call',
    }),
    AKASHGEN_IMAGE_TIMEOUT_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 600_000,
      default: 60_000,
      meaning: 'one image download, body included; also the longest wait for a download slot',
    }),
    AKASHGEN_POLL_INTERVAL_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 60_000,
      default: 500,
      meaning: 'status check cadence until the gateway has seen 3 jobs finish and learned their timing',
    }),
    AKASHGEN_STATUS_RPS: intVar({
      min: 1,
      max: 1000,
      default: 5,
      meaning: 'hard cap on upstream status requests per second; on Redis, split between live replicas',
    }),
    AKASHGEN_UPSTREAM_RETRIES: intVar({
      min: 0,
      max: 10,
      default: 2,
      meaning: 'retries after a failed submit or status call, when safe; `0` turns them off',
    }),
    AKASHGEN_UPSTREAM_RETRY_BASE_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 60_000,
      default: 250,
      meaning: 'first backoff step: retry n waits a random time in [0, min(5 s, base × 2ⁿ⁻¹))',
    }),
    AKASHGEN_CIRCUIT_FAILURES: intVar({
      min: 1,
      max: 1000,
      default: 5,
      meaning:
        'unanswered upstream requests in a row (network, timeout, 5xx) that open the circuit breaker, all within `AKASHGEN_CIRCUIT_WINDOW_MS`',
    }),
    AKASHGEN_CIRCUIT_WINDOW_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 3_600_000,
      default: 30_000,
      meaning: 'the time within which `AKASHGEN_CIRCUIT_FAILURES` failures open the circuit',
    }),
    AKASHGEN_CIRCUIT_COOLDOWN_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 600_000,
      default: 5_000,
      meaning: 'time open before the first probe; doubled after each failed probe',
    }),
    AKASHGEN_CIRCUIT_MAX_COOLDOWN_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 3_600_000,
      default: 60_000,
      meaning: 'the longest cool-down (never shorter than `AKASHGEN_CIRCUIT_COOLDOWN_MS`)',
    }),
    AKASHGEN_MAX_IMAGE_BYTES: intVar({
      unit: 'bytes',
      min: 1,
      max: 1 << 30,
      default: 20 * 1024 * 1024,
      meaning: 'largest image accepted from the upstream',
    }),
    AKASHGEN_MAX_IMAGE_DOWNLOADS: intVar({
      min: 1,
      max: 10_000,
      unset: 'AKASHGEN_MAX_CONCURRENT',
      meaning: 'upstream image downloads at once across jobs (one per job, shared by its callers); more wait',
    }),
  },
)
