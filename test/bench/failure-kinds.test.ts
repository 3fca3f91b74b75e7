// The bench's failure summary: a failing row says what kinds of failure it saw, not only the first.
import { describe, expect, it } from 'vitest'
import type { RequestResult } from '../../bench/load.ts'
import { failureKind } from '../../bench/row.ts'

const result = (status: number, error?: string): RequestResult => ({
  prompt: 'p',
  startMs: 0,
  endMs: 1,
  status,
  bytes: 0,
  ...(error === undefined ? {} : { error }),
})

describe('failureKind', () => {
  it("names the status, the gateway's code and the transport reason", () => {
    const body = JSON.stringify({
      error: 'upstream submit failed: ECONNRESET',
      details: { operation: 'submit', reason: 'ECONNRESET' },
      code: 'UPSTREAM_ERROR',
      requestId: 'a1',
    })
    expect(failureKind(result(502, body))).toBe('502 UPSTREAM_ERROR ECONNRESET')
  })

  it('leaves out a reason the body does not carry', () => {
    expect(failureKind(result(429, JSON.stringify({ code: 'QUEUE_FULL' })))).toBe('429 QUEUE_FULL')
  })

  it('keeps the start of a body that is not JSON, and a client-side error', () => {
    expect(failureKind(result(0, 'socket hang up'))).toBe('0 socket hang up')
    expect(failureKind(result(500, '<html>'))).toBe('500 <html>')
  })
})
