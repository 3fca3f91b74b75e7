// How the poller learns job durations: Turnbull's estimate over intervals, and when elapsed_time is believed.
import { describe, expect, it } from 'vitest'
import { DurationModel, FinishedCurve } from '../../server/polling/duration-model.ts'
import { JobTiming, type Sighting } from '../../server/polling/job-timing.ts'
import { type Mass, turnbull } from '../../server/polling/turnbull.ts'

/** The share of the estimate lying within [lo, hi]. */
function shareIn(masses: Mass[], lo: number, hi: number): number {
  return masses.filter((m) => m.lo >= lo && m.hi <= hi).reduce((sum, m) => sum + m.p, 0)
}

/** Numbers in [0, 1) from a fixed seed (Park-Miller), so random cases are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 16807) % 2147483647
    return state / 2147483647
  }
}

/**
 * Turnbull's EM as written down, slowly: the same cells and start as turnbull.ts, then each round gives every
 * cell the sum, over the samples holding it, of its share of each sample.
 */
function textbookEm(samples: Array<[number, number]>): Mass[] {
  const ends = [...new Set(samples.flat())].sort((a, b) => a - b)
  const points = new Set(samples.filter(([lo, hi]) => lo === hi).map(([lo]) => lo))
  const cells: Array<{ lo: number; hi: number }> = []
  ends.forEach((at, i) => {
    if (points.has(at)) cells.push({ lo: at, hi: at })
    if (i + 1 < ends.length) cells.push({ lo: at, hi: ends[i + 1] as number })
  })
  // A sample holds the cells inside its interval (a point cell at either end included).
  const holds = ([lo, hi]: [number, number], cell: { lo: number; hi: number }) =>
    cell.lo >= lo && cell.hi <= hi
  const n = samples.length
  let p = cells.map((cell) =>
    samples.reduce((sum, sample) => {
      if (!holds(sample, cell)) return sum
      const [lo, hi] = sample
      const held = cells.filter((other) => holds(sample, other)).length
      return sum + (hi === lo ? 1 / held : (cell.hi - cell.lo) / (hi - lo)) / n
    }, 0),
  )
  for (let round = 0; round < 200; round++) {
    const totals = samples.map((sample) =>
      cells.reduce((total, cell, j) => (holds(sample, cell) ? total + (p[j] as number) : total), 0),
    )
    const next = cells.map((cell, k) =>
      samples.reduce((sum, sample, i) => {
        const total = totals[i] as number
        return holds(sample, cell) && total > 0 ? sum + (p[k] as number) / (n * total) : sum
      }, 0),
    )
    const moved = Math.max(...next.map((value, k) => Math.abs(value - (p[k] as number))))
    p = next
    if (moved < 1e-5) break
  }
  return cells.map((cell, k) => ({ ...cell, p: p[k] as number })).filter((mass) => mass.p > 1e-6)
}

describe('turnbull', () => {
  it('gives exact values their share of the jobs', () => {
    const masses = turnbull([
      [100, 100],
      [300, 300],
      [100, 100],
      [200, 200],
    ])
    expect(masses).toEqual([
      { lo: 100, hi: 100, p: 0.5 },
      { lo: 200, hi: 200, p: 0.25 },
      { lo: 300, hi: 300, p: 0.25 },
    ])
  })

  it('puts a wide interval on the values it is known to hold rather than spreading it to its edges', () => {
    // A job seen final at 310 ms with no earlier look says only "0-310": the 300 ms jobs explain it.
    const masses = turnbull([
      [0, 310],
      [0, 310],
      [300, 300],
      [300, 300],
    ])
    expect(shareIn(masses, 300, 300)).toBeGreaterThan(0.99)
  })

  it('narrows many overlapping intervals to where they all meet', () => {
    const masses = turnbull([
      [0, 320],
      [280, 330],
      [290, 400],
      [0, 305],
    ])
    expect(shareIn(masses, 290, 305)).toBeGreaterThan(0.95)
  })

  it('keeps intervals that share nothing apart, each with its own share', () => {
    const masses = turnbull([
      [100, 150],
      [500, 600],
      [0, 1000],
    ])
    expect(shareIn(masses, 100, 150)).toBeGreaterThan(0.45)
    expect(shareIn(masses, 500, 600)).toBeGreaterThan(0.45)
    expect(masses.map((m) => m.p).reduce((a, b) => a + b)).toBeCloseTo(1, 4)
  })

  it('equals the textbook EM on 64 jobs each seen only once, already final', () => {
    // As in bench (b) when elapsed_time grows or is absent: mostly [0, t] brackets, which take all the rounds.
    const random = seededRandom(11)
    for (let set = 0; set < 5; set++) {
      const samples: Array<[number, number]> = Array.from({ length: 64 }, () => {
        const end = 300 + Math.round(random() * 40)
        const kind = random()
        if (kind < 0.2) return [end, end]
        if (kind < 0.8) return [0, end + Math.round(random() * 60)]
        return [end - Math.round(random() * 200), end + Math.round(random() * 60)]
      })
      const masses = turnbull(samples)
      const expected = textbookEm(samples)
      expect(masses.map(({ lo, hi }) => [lo, hi])).toEqual(expected.map(({ lo, hi }) => [lo, hi]))
      for (const [k, mass] of masses.entries()) expect(mass.p).toBeCloseTo((expected[k] as Mass).p, 9)
    }
  })

  it('has nothing to say without samples', () => {
    expect(turnbull([])).toEqual([])
  })
})

describe('DurationModel with intervals', () => {
  it('learns 300 ms jobs from polls that only bracket their end, not the late edge of each bracket', () => {
    const model = new DurationModel()
    // The first look came after the end (0-315), or one look before it and one after (295-310, 290-304).
    for (let i = 0; i < 20; i++) {
      model.record(0, 315 + (i % 3) * 10)
      model.record(295 - (i % 4), 310 + (i % 2) * 5)
      model.record(290, 304)
    }
    const median = model.median() ?? 0
    expect(median).toBeGreaterThanOrEqual(295)
    expect(median).toBeLessThanOrEqual(304)
    expect(model.finishedBy(280)).toBe(0)
    expect(model.finishedBy(330)).toBeCloseTo(1, 3)
  })

  it('refuses an interval that ends before it starts', () => {
    const model = new DurationModel()
    model.record(300, 200)
    expect(model.median()).toBeUndefined()
  })
})

describe('JobTiming', () => {
  // Submitted at 1000; one look at 1200 (2 ms round trip) found it running; the look sent at 1310 found it final.
  const sighting = (elapsedS: number): Sighting => ({
    submittedAt: 1000,
    unfinishedAt: 1201,
    sentAt: 1310,
    answeredAt: 1312,
    elapsedS,
  })

  it('takes an elapsed_time that stopped inside what it saw as the exact duration', () => {
    expect(new JobTiming().durationOf(sighting(0.3))).toEqual([300, 300])
  })

  it('takes the observed bracket when elapsed_time is absent', () => {
    expect(new JobTiming().durationOf(sighting(0))).toEqual([201, 311])
  })

  it('takes the bracket when elapsed_time reads the answer’s own time, as a clock that keeps counting does', () => {
    expect(new JobTiming().durationOf(sighting(0.311))).toEqual([201, 311])
  })

  it('takes the bracket when elapsed_time disagrees with what it saw', () => {
    const timing = new JobTiming()
    // Below the look that found it running, or past the answer that found it final.
    expect(timing.durationOf(sighting(0.15))).toEqual([201, 311])
    expect(timing.durationOf(sighting(0.5))).toEqual([201, 311])
  })

  it('believes values near the edge once the upstream has shown that its clock stops at the end', () => {
    const timing = new JobTiming()
    expect(timing.durationOf(sighting(0.309))).toEqual([201, 311])
    expect(timing.durationOf(sighting(0.3))).toEqual([300, 300])
    expect(timing.durationOf(sighting(0.309))).toEqual([309, 309])
    // A few ms past the end: the upstream started its clock before the submit answer reached the gateway.
    expect(timing.durationOf(sighting(0.318))).toEqual([311, 311])
  })

  it('without a look before the end, brackets from submission', () => {
    const { unfinishedAt: _, ...first } = sighting(0)
    expect(new JobTiming().durationOf(first)).toEqual([0, 311])
  })
})

describe('FinishedCurve', () => {
  /** The share finished by `age`, summed mass by mass: what the curve must equal. */
  function summed(masses: Mass[], age: number): number {
    let sum = 0
    for (const { lo, hi, p } of masses) {
      const mid = (lo + hi) / 2
      const half = Math.max(10, mid * 0.04, (hi - lo) / 2)
      sum += p * Math.min(1, Math.max(0, (age - (mid - half)) / (2 * half)))
    }
    return sum
  }

  it('equals the mass-by-mass sum at every age, for exact values and intervals alike', () => {
    const random = seededRandom(7)
    for (let round = 0; round < 20; round++) {
      const samples: Array<[number, number]> = Array.from({ length: 64 }, () => {
        const lo = 200 + Math.round(random() * 400)
        return random() < 0.5 ? [lo, lo] : [lo, lo + Math.round(random() * 300)]
      })
      const masses = turnbull(samples)
      const curve = new FinishedCurve(masses)
      for (let age = 0; age <= 1200; age += 3.7) expect(curve.at(age)).toBeCloseTo(summed(masses, age), 9)
    }
  })

  it('is 0 before any job and the whole share after every one', () => {
    const curve = new FinishedCurve([{ lo: 300, hi: 300, p: 1 }])
    expect(curve.at(0)).toBe(0)
    expect(curve.at(300)).toBeCloseTo(0.5, 12)
    expect(curve.at(10_000)).toBe(1)
  })
})
