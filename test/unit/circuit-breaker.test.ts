import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../server/errors.ts'
import { CircuitBreaker } from '../../server/upstream/circuit-breaker.ts'
import type { UpstreamOutcome } from '../../server/upstream/request.ts'

const at = { now: 0 }
const fresh = (failures = 3) =>
  new CircuitBreaker({ failures, windowMs: 30_000, cooldownMs: 1000, maxCooldownMs: 3000, now: () => at.now })

/** One call through the breaker that ended with `outcome`. */
const call = (breaker: CircuitBreaker, outcome: UpstreamOutcome) =>
  breaker.settle(breaker.admit('status'), outcome)

const refusal = (breaker: CircuitBreaker) => {
  try {
    breaker.admit('submit')
  } catch (error) {
    return error as GatewayError
  }
  return undefined
}

describe('CircuitBreaker', () => {
  it('opens after N unanswered requests in a row within the window, not when they are spread wider', () => {
    at.now = 1_000
    const breaker = fresh()
    expect(breaker.state()).toBe('unknown')
    call(breaker, 'network')
    call(breaker, 'timeout')
    at.now = 40_000
    // The first two are older than 30 s: this one starts a new run.
    call(breaker, 'http_5xx')
    expect(breaker.circuit()).toBe('closed')
    call(breaker, 'http_5xx')
    call(breaker, 'network')
    expect(breaker.circuit()).toBe('open')
    expect(breaker.state()).toBe('down')
  })

  it('does not count answers (4xx, odd bodies) or our own cancels as failures', () => {
    at.now = 0
    const breaker = fresh()
    call(breaker, 'network')
    call(breaker, 'network')
    call(breaker, 'http_4xx')
    call(breaker, 'network')
    call(breaker, 'cancelled')
    call(breaker, 'network')
    expect(breaker.circuit()).toBe('closed')
    call(breaker, 'malformed')
    expect(breaker.state()).toBe('up')
  })

  it('refuses calls fast while open with 503 UPSTREAM_UNAVAILABLE and Retry-After until the probe', () => {
    at.now = 0
    const breaker = fresh()
    for (let i = 0; i < 3; i++) call(breaker, 'network')
    at.now = 200
    const error = refusal(breaker)
    expect(error).toBeInstanceOf(GatewayError)
    expect(error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      retryable: true,
      retryAfterS: 1,
    })
    expect(error?.details).toMatchObject({ circuit: 'open', retryInMs: 800 })
    expect(breaker.retryInMs()).toBe(800)
  })

  it('lets exactly one probe through once cooled down; an answer closes it', () => {
    at.now = 0
    const breaker = fresh()
    for (let i = 0; i < 3; i++) call(breaker, 'timeout')
    at.now = 1_000
    expect(breaker.circuit()).toBe('half_open')
    // A replica nobody sends traffic to must become ready again, or it would never probe.
    expect(breaker.state()).toBe('unknown')
    const probe = breaker.admit('status')
    expect(probe.probe).toBe(true)
    expect(refusal(breaker)?.code).toBe('UPSTREAM_UNAVAILABLE')
    breaker.settle(probe, 'ok')
    expect(breaker.circuit()).toBe('closed')
    expect(breaker.state()).toBe('up')
    expect(breaker.admit('submit').probe).toBe(false)
  })

  it('re-opens for longer after a failed probe, up to the cap, and frees the probe when it was cancelled', () => {
    at.now = 0
    const breaker = fresh()
    for (let i = 0; i < 3; i++) call(breaker, 'network')
    at.now = 1_000
    breaker.settle(breaker.admit('status'), 'cancelled')
    expect(breaker.circuit()).toBe('half_open')
    call(breaker, 'http_5xx')
    expect(breaker.retryInMs()).toBe(2_000)
    at.now = 3_000
    call(breaker, 'network')
    expect(breaker.retryInMs()).toBe(3_000)
    at.now = 6_000
    call(breaker, 'network')
    expect(breaker.retryInMs()).toBe(3_000)
  })

  it('ignores what calls let through before it opened say while it is open', () => {
    at.now = 0
    const breaker = fresh()
    const early = breaker.admit('status')
    for (let i = 0; i < 3; i++) call(breaker, 'network')
    breaker.settle(early, 'ok')
    expect(breaker.circuit()).toBe('open')
  })
})
