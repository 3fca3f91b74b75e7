import { ERROR_CODES, ErrorBody, type ErrorCode } from '@akashgen/contract'
import { describe, expect, it } from 'vitest'
import { GatewayError, toGatewayError } from '../../server/errors.ts'

const CODES = Object.entries(ERROR_CODES) as [ErrorCode, { status: number; retryable: boolean }][]

describe('GatewayError', () => {
  describe('status and retryable', () => {
    it.each(CODES)('%s takes them from the contract table', (code, { status, retryable }) => {
      const error = new GatewayError(code, 'something happened')
      expect(error.status).toBe(status)
      expect(error.retryable).toBe(retryable)
    })

    it.each([
      ['INVALID_REQUEST', 400, false],
      ['QUEUE_FULL', 429, true],
      ['INTERNAL', 500, false],
      ['UPSTREAM_ERROR', 502, true],
      ['JOB_TIMEOUT', 504, true],
    ] as const)('%s answers %i (retryable: %s)', (code, status, retryable) => {
      const error = new GatewayError(code, 'x')
      expect([error.status, error.retryable]).toEqual([status, retryable])
    })
  })

  it('is an Error with its code, message, details, cause and retry hint', () => {
    const cause = new Error('socket hang up')
    const error = new GatewayError('QUEUE_FULL', 'queue is full', {
      details: { maxQueue: 3 },
      cause,
      retryAfterS: 12,
    })
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      name: 'GatewayError',
      code: 'QUEUE_FULL',
      message: 'queue is full',
      details: { maxQueue: 3 },
      retryAfterS: 12,
    })
    expect(error.cause).toBe(cause)
  })

  describe('toBody', () => {
    it('shows the message and details of a non-internal error', () => {
      const body = new GatewayError('INVALID_REQUEST', 'prompt must not be empty', {
        details: { fieldErrors: { prompt: ['prompt must not be empty'] } },
      }).toBody('req-1')
      expect(body).toEqual({
        error: 'prompt must not be empty',
        details: { fieldErrors: { prompt: ['prompt must not be empty'] } },
        code: 'INVALID_REQUEST',
        retryable: false,
        requestId: 'req-1',
      })
      expect(ErrorBody.parse(body)).toEqual(body)
    })

    it('leaves out details and request id when there are none', () => {
      const body = new GatewayError('UPSTREAM_TIMEOUT', 'AkashGen did not answer in 30 s').toBody()
      expect(body).toEqual({
        error: 'AkashGen did not answer in 30 s',
        code: 'UPSTREAM_TIMEOUT',
        retryable: true,
      })
      expect(Object.keys(body)).not.toContain('details')
      expect(Object.keys(body)).not.toContain('requestId')
    })

    it('hides the message and details of an internal error', () => {
      const body = new GatewayError('INTERNAL', 'ECONNREFUSED 10.0.0.7:5432 password=hunter2', {
        details: { stack: 'at db.ts:12' },
      }).toBody('req-2')
      expect(body).toEqual({
        error: 'Internal server error',
        code: 'INTERNAL',
        retryable: false,
        requestId: 'req-2',
      })
      expect(JSON.stringify(body)).not.toContain('hunter2')
      expect(JSON.stringify(body)).not.toContain('db.ts')
    })
  })
})

describe('toGatewayError', () => {
  it('passes a GatewayError through unchanged', () => {
    const error = new GatewayError('NOT_FOUND', 'no such job')
    expect(toGatewayError(error)).toBe(error)
  })

  it('wraps an Error as INTERNAL, keeping it as the cause', () => {
    const original = new TypeError("Cannot read properties of undefined (reading 'x')")
    const wrapped = toGatewayError(original)
    expect(wrapped).toBeInstanceOf(GatewayError)
    expect(wrapped.code).toBe('INTERNAL')
    expect(wrapped.status).toBe(500)
    expect(wrapped.message).toBe(original.message)
    expect(wrapped.cause).toBe(original)
    expect(wrapped.toBody().error).toBe('Internal server error')
  })

  it.each([
    ['a string', 'boom', 'boom'],
    ['undefined', undefined, 'undefined'],
    ['an object', { reason: 'x' }, '[object Object]'],
  ])('wraps %s as INTERNAL', (_, thrown, message) => {
    const wrapped = toGatewayError(thrown)
    expect(wrapped.code).toBe('INTERNAL')
    expect(wrapped.message).toBe(message)
    expect(wrapped.cause).toBe(thrown)
  })
})
