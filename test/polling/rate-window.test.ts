import { describe, expect, it } from 'vitest'
import { RateWindow } from '../../server/polling/rate-window.ts'

describe('RateWindow', () => {
  describe('with room', () => {
    it('allows an event now while fewer than the limit happened in the window', () => {
      const window = new RateWindow(3, 1000)
      expect(window.nextAllowedAt(0)).toBe(0)
      window.take(0)
      window.take(100)
      expect(window.nextAllowedAt(200)).toBe(200)
      expect(window.count(200)).toBe(2)
    })
  })

  describe('when full', () => {
    it('allows the next event once the oldest one has left the window', () => {
      const window = new RateWindow(3, 1000)
      for (const at of [0, 100, 200]) window.take(at)
      expect(window.nextAllowedAt(300)).toBe(1000)
      expect(window.nextAllowedAt(999)).toBe(1000)
      expect(window.nextAllowedAt(1000)).toBe(1000)
      window.take(1000)
      expect(window.nextAllowedAt(1050)).toBe(1100)
    })

    it('counts an event exactly one window old as gone', () => {
      const window = new RateWindow(2, 1000)
      window.take(0)
      window.take(500)
      expect(window.count(999)).toBe(2)
      expect(window.count(1000)).toBe(1)
      expect(window.count(1500)).toBe(0)
    })

    it('never lets more than the limit into any window however often it is asked', () => {
      const window = new RateWindow(4, 1000)
      const taken: number[] = []
      for (let now = 0; now < 10_000; now += 7) {
        if (window.nextAllowedAt(now) > now) continue
        window.take(now)
        taken.push(now)
      }
      for (const start of taken) {
        expect(taken.filter((at) => at >= start && at < start + 1000).length).toBeLessThanOrEqual(4)
      }
      expect(taken.length).toBeGreaterThanOrEqual(36)
    })
  })
})
