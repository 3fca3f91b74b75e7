// Faults on the image and job-level faults: each ends with its documented code, and nothing is left behind.

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
  playFault,
} from './support.ts'

const harness = useGatewayHarness()

type Case = [string, Fault, number, string | undefined]

const play = (endpoint: 'status' | 'image', fault: Fault, status: number, code: string | undefined) =>
  playFault(harness, endpoint, fault, status, code)

describe('a fault on the image', () => {
  it.each<Case>([
    ['a 500', { status: 500 }, 502, 'UPSTREAM_ERROR'],
    ['a 503', { status: 503 }, 502, 'UPSTREAM_ERROR'],
    ['a 429', { status: 429 }, 502, 'UPSTREAM_ERROR'],
    ['an answer slower than the timeout', { delayMs: CALL_TIMEOUT_MS + 600 }, 504, 'UPSTREAM_TIMEOUT'],
    ['a hang', { hang: true }, 504, 'UPSTREAM_TIMEOUT'],
    ['a reset', { reset: true }, 502, 'UPSTREAM_ERROR'],
    ['HTML instead of an image', { malformed: true }, 502, 'UPSTREAM_ERROR'],
    ['a slow answer within the timeout', { delayMs: CALL_TIMEOUT_MS / 2 }, 200, undefined],
  ])('%s', async (_name, fault, status, code) => {
    await play('image', fault, status, code)
  })
})

describe('a job-level fault', () => {
  it.each<[string, Record<string, unknown>, number, string | undefined]>([
    ['a job stuck waiting', { stuckWaiting: true }, 504, 'JOB_TIMEOUT'],
    ['a failed job', { failRate: 1 }, 502, 'JOB_FAILED'],
    ['an off-origin result', { offOriginResult: 'http://evil.example/x.webp' }, 502, 'UPSTREAM_ERROR'],
    ['a non-image body', { nonImage: true }, 502, 'UPSTREAM_ERROR'],
    ['an oversized image', { oversizedImageBytes: 3 * 1024 * 1024 }, 502, 'UPSTREAM_ERROR'],
    ['an unknown status word (drift: polled on)', { unknownStatus: 'rendering' }, 200, undefined],
    ['a megabyte unknown status word', { unknownStatus: 'r'.repeat(1024 * 1024) }, 200, undefined],
    ['a worker name beyond Latin-1', { workerOverride: { gpu: 'RTX™ 4090 🚀\u0007' } }, 200, undefined],
    [
      'megabyte worker fields',
      { workerOverride: { name: 'w', gpu: 'g' }, longStringChars: 200_000 },
      200,
      undefined,
    ],
    [
      'a megabyte failure reason (over the JSON cap: polled to the deadline)',
      { failRate: 1, failureReason: 'x', longStringChars: 2 * 1024 * 1024 },
      504,
      'JOB_TIMEOUT',
    ],
    [
      'a long failure reason under the cap',
      { failRate: 1, failureReason: 'x', longStringChars: 300_000 },
      502,
      'JOB_FAILED',
    ],
    [
      'an image reference over 4096 characters',
      { offOriginResult: `/api/image/${'a'.repeat(5000)}` },
      502,
      'UPSTREAM_ERROR',
    ],
  ])('%s', async (_name, knobs, status, code) => {
    const gateway = await faultGateway(harness)
    harness.emulator.configure(knobs)
    expectAnswer(await generate(gateway), status, code)
    await expectIdle(gateway, harness.emulator)
    await expectRecovery(gateway, harness.emulator)
    expect(gateway.app.openStreams.size).toBe(0)
  })
})
