import { describe, expect, it } from 'vitest'
import { UpstreamReachability } from '../../server/upstream/reachability.ts'

describe('UpstreamReachability', () => {
  const at = { now: 0 }
  const fresh = () => new UpstreamReachability({ failures: 3, windowMs: 30_000, now: () => at.now })

  it('is down after three failed requests within the window, and no longer once they are older', () => {
    at.now = 1_000
    const reach = fresh()
    expect(reach.state()).toBe('unknown')
    reach.request('submit', 'network')
    reach.request('status', 'timeout')
    expect(reach.state()).toBe('unknown')
    at.now = 20_000
    reach.request('status', 'http_5xx')
    expect(reach.state()).toBe('down')
    at.now = 31_001
    // The first failure is now older than 30 s.
    expect(reach.state()).toBe('unknown')
  })

  it('is up again at the first answer, and ignores requests the gateway cancelled itself', () => {
    at.now = 0
    const reach = fresh()
    for (let i = 0; i < 3; i++) reach.request('status', 'network')
    reach.request('status', 'cancelled')
    expect(reach.state()).toBe('down')
    reach.request('image', 'malformed')
    expect(reach.state()).toBe('up')
  })
})
