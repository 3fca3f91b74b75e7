// Faults on the status endpoint: jobs already upstream survive short trouble, and the deadline bounds the rest.

import type { Fault } from '@akashgen/emulator'
import { describe, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { CALL_TIMEOUT_MS, playFault } from './support.ts'

const harness = useGatewayHarness()

type Case = [string, Fault, number, string | undefined]

const play = (endpoint: 'status' | 'image', fault: Fault, status: number, code: string | undefined) =>
  playFault(harness, endpoint, fault, status, code)

describe('a fault on status', () => {
  // Status trouble is the poller's: it backs off, pauses while the breaker is open, and the deadline bounds it.
  it.each<Case>([
    ['a 503 is outlived', { status: 503, times: 1 }, 200, undefined],
    ['a reset is retried inside the call', { reset: true, times: 1 }, 200, undefined],
    ['a slow answer within the timeout is fine', { delayMs: CALL_TIMEOUT_MS / 2 }, 200, undefined],
    ['lasting 503s end at the deadline', { status: 503 }, 504, 'JOB_TIMEOUT'],
    ['lasting 429s end at the deadline', { status: 429 }, 504, 'JOB_TIMEOUT'],
    [
      'answers slower than the timeout end at the deadline',
      { delayMs: CALL_TIMEOUT_MS + 600 },
      504,
      'JOB_TIMEOUT',
    ],
    ['hangs end at the deadline', { hang: true }, 504, 'JOB_TIMEOUT'],
    ['lasting resets end at the deadline', { reset: true }, 504, 'JOB_TIMEOUT'],
    ['lasting malformed JSON ends at the deadline', { malformed: true }, 504, 'JOB_TIMEOUT'],
    ['a passing gzip bomb is outlived', { gzipBombBytes: 1024 ** 3, times: 2 }, 200, undefined],
    ['lasting gzip bombs end at the deadline', { gzipBombBytes: 1024 ** 3 }, 504, 'JOB_TIMEOUT'],
    ['lasting huge JSON ends at the deadline', { hugeJsonBytes: 8 * 1024 ** 2 }, 504, 'JOB_TIMEOUT'],
  ])('%s', async (_name, fault, status, code) => {
    await play('status', fault, status, code)
  })
})
