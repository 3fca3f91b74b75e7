// Faults on POST /api/generate upstream: what is retried, what never is, and what the caller gets.

import type { Fault } from '@akashgen/emulator'
import { describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import {
  CALL_TIMEOUT_MS,
  expectAnswer,
  expectIdle,
  expectRecovery,
  faultGateway,
  generate,
} from './support.ts'

const harness = useGatewayHarness()
/** Long enough for a retry after the emulator's `Retry-After: 1`. */
const DEADLINE_MS = 1800
const deadline = { AKASHGEN_JOB_TIMEOUT_MS: String(DEADLINE_MS) }

describe('a fault on submit', () => {
  it.each<[string, Fault, number, string | undefined, number]>([
    // [case, fault, HTTP status, code, submissions the emulator saw]
    ['a transient 503 is retried and invisible', { status: 503, times: 1 }, 200, undefined, 2],
    ['a transient 429 is retried after its Retry-After', { status: 429, times: 1 }, 200, undefined, 2],
    ['a lasting 503 is retried twice, then UPSTREAM_ERROR', { status: 503 }, 502, 'UPSTREAM_ERROR', 3],
    ['a lasting 429 stops retrying before the deadline', { status: 429 }, 502, 'UPSTREAM_ERROR', 2],
    ['a 500 is not retried', { status: 500 }, 502, 'UPSTREAM_ERROR', 1],
    ['a 502 is not retried (a proxy may have passed it on)', { status: 502 }, 502, 'UPSTREAM_ERROR', 1],
    ['a 504 is not retried', { status: 504 }, 502, 'UPSTREAM_ERROR', 1],
    [
      'a timeout after sending is not retried',
      { delayMs: CALL_TIMEOUT_MS + 600 },
      504,
      'UPSTREAM_TIMEOUT',
      1,
    ],
    ['a hang is not retried', { hang: true }, 504, 'UPSTREAM_TIMEOUT', 1],
    ['a reset after sending is not retried', { reset: true }, 502, 'UPSTREAM_ERROR', 1],
    ['malformed JSON is not retried', { malformed: true }, 502, 'UPSTREAM_ERROR', 1],
    ['a gzip bomb is not retried', { gzipBombBytes: 1024 ** 3 }, 502, 'UPSTREAM_ERROR', 1],
    ['huge JSON is not retried', { hugeJsonBytes: 8 * 1024 ** 2 }, 502, 'UPSTREAM_ERROR', 1],
    ['a slow answer within the timeout is fine', { delayMs: CALL_TIMEOUT_MS / 2 }, 200, undefined, 1],
  ])('%s', async (_name, fault, status, code, submissions) => {
    const gateway = await faultGateway(harness, deadline)
    harness.emulator.configure({ faults: { submit: fault } })
    const answer = await generate(gateway)
    expectAnswer(answer, status, code, DEADLINE_MS)
    expect(harness.emulator.counters.submissions).toBe(submissions)
    if (code) expect(answer.body?.details).toMatchObject({ operation: 'submit' })
    // The upstream's own Retry-After reaches the caller of a refused submission.
    if (code && fault.status === 429) expect(answer.retryAfter).toBe('1')
    await expectIdle(gateway, harness.emulator)
    await expectRecovery(gateway, harness.emulator)
  })

  it('with retries off, a single 503 reaches the caller', async () => {
    const gateway = await faultGateway(harness, { AKASHGEN_UPSTREAM_RETRIES: '0' })
    harness.emulator.configure({ faults: { submit: { status: 503, times: 1 } } })
    expectAnswer(await generate(gateway), 502, 'UPSTREAM_ERROR')
    expect(harness.emulator.counters.submissions).toBe(1)
  })
})
