import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../server/errors.ts'
import { describeFailure, statusError } from '../../server/upstream/request.ts'
import { statusRetry, submitRetry, withRetries } from '../../server/upstream/retry.ts'

/** A failed fetch as request.ts reports it: the transport error with its code under a TypeError. */
const transport = (code: string) => {
  const cause = Object.assign(new Error(code), { code })
  return describeFailure(
    'submit',
    new TypeError('fetch failed', { cause }),
    1000,
    undefined,
    new AbortController().signal,
  )
}
const timedOut = () => {
  const timeout = new AbortController()
  timeout.abort()
  return describeFailure('submit', new Error('aborted'), 1000, undefined, timeout.signal)
}

describe('which failures are retried', () => {
  it.each([
    ['HTTP 429', statusError('submit', 429, '', '2'), true, 2000],
    ['HTTP 503', statusError('submit', 503, '', null), true, 0],
    ['connection refused', transport('ECONNREFUSED'), true, 0],
    ['a DNS failure', transport('ENOTFOUND'), true, 0],
    ['HTTP 502 (a proxy may have passed it on)', statusError('submit', 502, '', null), false, 0],
    ['HTTP 504', statusError('submit', 504, '', null), false, 0],
    ['HTTP 500', statusError('submit', 500, '', null), false, 0],
    ['a reset (the request may have been read)', transport('UND_ERR_SOCKET'), false, 0],
    ['a timeout (the request was sent)', timedOut(), false, 0],
    ['HTTP 400', statusError('submit', 400, '', null), false, 0],
    ['a breaker refusal', new GatewayError('UPSTREAM_UNAVAILABLE', 'open'), false, 0],
  ])('submit after %s: retried %s', (_name, error, retry, afterMs) => {
    expect(submitRetry(error)).toEqual(retry ? { retry, afterMs } : { retry })
  })

  it.each([
    ['connection refused', transport('ECONNREFUSED'), true],
    ['a reset', transport('ECONNRESET'), true],
    ['a socket closed', transport('UND_ERR_SOCKET'), true],
    ['HTTP 503 (the poller backs off)', statusError('status', 503, '', null), false],
    ['HTTP 429', statusError('status', 429, '', '1'), false],
    ['a timeout', timedOut(), false],
  ])('status after %s: retried inside the call %s', (_name, error, retry) => {
    expect(statusRetry(error).retry).toBe(retry)
  })

  it('honours Retry-After only up to 5 s', () => {
    expect(submitRetry(statusError('submit', 429, '', '3600'))).toEqual({ retry: true, afterMs: 5000 })
  })
})

describe('withRetries', () => {
  const policy = { retries: 2, baseMs: 10, random: () => 0.5 }
  const always = () => ({ retry: true, afterMs: 0 }) as const

  it('stops after the allowed retries and throws the last failure', async () => {
    let attempts = 0
    const failing = () => Promise.reject(new Error(`failure ${++attempts}`))
    await expect(withRetries(failing, { policy, decide: always })).rejects.toThrow('failure 3')
    expect(attempts).toBe(3)
  })

  it('rejects with the signal reason when it aborts during a pause, without another attempt', async () => {
    let attempts = 0
    const controller = new AbortController()
    const reason = new GatewayError('JOB_TIMEOUT', 'deadline')
    const failing = () => {
      attempts++
      setTimeout(() => controller.abort(reason), 5)
      return Promise.reject(new Error('nope'))
    }
    const slow = { retries: 2, baseMs: 1000, random: () => 0.9 }
    await expect(
      withRetries(failing, { policy: slow, decide: always, signal: controller.signal }),
    ).rejects.toBe(reason)
    expect(attempts).toBe(1)
  })

  it('gives up at once when the pause would cross the deadline', async () => {
    let attempts = 0
    const failing = () => Promise.reject(new Error(`failure ${++attempts}`))
    const decide = () => ({ retry: true, afterMs: 2000 }) as const
    const started = Date.now()
    await expect(withRetries(failing, { policy, decide, deadlineAt: Date.now() + 500 })).rejects.toThrow(
      'failure 1',
    )
    expect(Date.now() - started).toBeLessThan(200)
  })
})
