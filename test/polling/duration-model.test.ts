import { describe, expect, it } from 'vitest'
import { DurationModel, MIN_SAMPLES } from '../../server/polling/duration-model.ts'

/** A model that has seen jobs of these durations, in this order. */
function modelOf(durations: number[]): DurationModel {
  const model = new DurationModel()
  for (const duration of durations) model.record(duration)
  return model
}

describe('DurationModel', () => {
  describe('before it knows anything', () => {
    it(`is not ready until it has seen ${MIN_SAMPLES} jobs finish`, () => {
      const model = new DurationModel()
      for (let i = 1; i < MIN_SAMPLES; i++) {
        model.record(1000)
        expect(model.ready).toBe(false)
      }
      model.record(1000)
      expect(model.ready).toBe(true)
    })

    it('has no median and says no job is done yet', () => {
      const model = new DurationModel()
      expect(model.median()).toBeUndefined()
      expect(model.finishedBy(1_000_000)).toBe(0)
    })

    it('ignores durations that are negative or not numbers', () => {
      const model = modelOf([-5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(model.median()).toBeUndefined()
      expect(model.ready).toBe(false)
    })
  })

  describe('estimates', () => {
    const model = modelOf([1000, 2000, 3000, 4000, 5000])

    it('gives the median of the durations seen', () => {
      expect(model.median()).toBe(3000)
    })

    it('rises from nothing done to everything done as jobs get older', () => {
      const ages = [0, 500, 1000, 1500, 2500, 3000, 4500, 5500, 10_000]
      const shares = ages.map((age) => model.finishedBy(age))
      expect(shares[0]).toBe(0)
      expect(shares.at(-1)).toBe(1)
      for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThanOrEqual(shares[i - 1] ?? 0)
      expect(model.finishedBy(3000)).toBeCloseTo(0.5, 5)
    })

    it('rises smoothly around a sample rather than jumping at it', () => {
      const single = modelOf([1000, 1000, 1000])
      const justBefore = single.finishedBy(995)
      const justAfter = single.finishedBy(1005)
      expect(justBefore).toBeGreaterThan(0)
      expect(justAfter).toBeLessThan(1)
      expect(justAfter).toBeGreaterThan(justBefore)
    })

    it('gives the chance that a job not done at one age is done by a later one', () => {
      // Not done at 2500: three of five jobs were still running; by 4500 two of those three are done.
      expect(model.doneBetween(2500, 4500)).toBeCloseTo(2 / 3, 5)
      expect(model.doneBetween(0, 10_000)).toBe(1)
      expect(model.doneBetween(2500, 2500)).toBe(0)
    })

    it('has nothing to say about a job older than every job it has seen', () => {
      expect(model.doneBetween(6000, 7000)).toBeUndefined()
    })
  })

  describe('following a change of pace', () => {
    it('keeps only the most recent jobs, so a slower upstream soon shows in the estimates', () => {
      const model = modelOf(Array(64).fill(1000))
      for (let i = 0; i < 64; i++) model.record(8000)
      expect(model.median()).toBe(8000)
      expect(model.finishedBy(2000)).toBe(0)
    })
  })
})
