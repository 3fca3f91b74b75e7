/**
 * The distribution of values each known only to lie in a closed interval [lo, hi] (an exact value is [v, v]):
 * Turnbull's EM. It starts from every interval spread evenly over itself, then lets each interval share itself
 * among the stretches inside it in proportion to their mass, until the shares settle, so wide intervals move
 * to where the narrow ones agree. Starting spread matters: a job found final at its first look says only
 * [0, t], and the maximum-likelihood answer reached from innermost intervals alone put every such job on the
 * latest stretch any job was seen running at, after which no poll looked early enough to learn otherwise.
 */

/** A share `p` of the distribution, spread over [lo, hi]. */
export interface Mass {
  lo: number
  hi: number
  p: number
}

/**
 * EM rounds at most. With narrow intervals the shares settle (move less than SETTLED) well before; with many jobs
 * seen only once, already final (bench (b) when elapsed_time grows or is absent), they mostly do not, and the
 * estimate is where these rounds took it.
 */
const MAX_ROUNDS = 200
const SETTLED = 1e-5

/** The estimate for `samples` ([lo, hi] pairs with lo <= hi), masses in increasing order; [] when empty. */
export function turnbull(samples: ReadonlyArray<readonly [number, number]>): Mass[] {
  if (samples.every(([lo, hi]) => lo === hi)) return exactMasses(samples)
  const cells = stretches(samples)
  const n = samples.length
  const count = cells.length
  // The cells are sorted, so each sample covers a run of them: [from[i], to[i]). Plain indexed loops over typed
  // arrays, no iterators or destructuring: the EM runs every few jobs, too rarely for V8 to optimise it early,
  // and unoptimised it cost milliseconds per estimate that way (bench/RESULTS.md, 2026-12-07 (fourth)).
  const from = new Int32Array(n)
  const to = new Int32Array(n)
  // Start from every sample spread evenly over its interval (an exact one all on its point).
  let p = new Float64Array(count)
  for (let i = 0; i < n; i++) {
    const sample = samples[i] as readonly [number, number]
    const lo = sample[0]
    const hi = sample[1]
    const first = firstCellFrom(cells, lo)
    let end = first
    while (end < count && (cells[end] as Cell).hi <= hi) end++
    from[i] = first
    to[i] = end
    for (let k = first; k < end; k++) {
      const cell = cells[k] as Cell
      p[k] = (p[k] as number) + (hi === lo ? 1 / (end - first) : (cell.hi - cell.lo) / (hi - lo)) / n
    }
  }
  const before = new Float64Array(count + 1)
  const weight = new Float64Array(count + 1)
  let next = new Float64Array(count)
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Each sample shares itself among its cells in proportion to their mass: prefix sums give its total.
    for (let k = 0; k < count; k++) before[k + 1] = (before[k] as number) + (p[k] as number)
    weight.fill(0)
    for (let i = 0; i < n; i++) {
      const first = from[i] as number
      const end = to[i] as number
      const total = (before[end] as number) - (before[first] as number)
      if (total <= 0) continue
      weight[first] = (weight[first] as number) + 1 / (n * total)
      weight[end] = (weight[end] as number) - 1 / (n * total)
    }
    let running = 0
    let moved = 0
    for (let k = 0; k < count; k++) {
      running += weight[k] as number
      const share = (p[k] as number) * running
      moved = Math.max(moved, Math.abs(share - (p[k] as number)))
      next[k] = share
    }
    const last = p
    p = next
    next = last
    if (moved < SETTLED) break
  }
  return cells.map((cell, k) => ({ ...cell, p: p[k] as number })).filter((mass) => mass.p > 1e-6)
}

/**
 * Every value known exactly (the usual case when the upstream's elapsed_time stops at the end): the estimate
 * is the values' own frequencies, which is where the EM would start and stay.
 */
function exactMasses(samples: ReadonlyArray<readonly [number, number]>): Mass[] {
  const values = samples.map(([value]) => value).sort((a, b) => a - b)
  const masses: Mass[] = []
  for (const value of values) {
    const last = masses[masses.length - 1]
    if (last?.lo === value) last.p += 1 / values.length
    else masses.push({ lo: value, hi: value, p: 1 / values.length })
  }
  return masses
}

/** Index of the first cell starting at or after `lo` (cells are sorted and one starts at every sample's lo). */
function firstCellFrom(cells: readonly Cell[], lo: number): number {
  let low = 0
  let high = cells.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((cells[middle] as Cell).lo < lo) low = middle + 1
    else high = middle
  }
  return low
}

interface Cell {
  lo: number
  hi: number
}

/** The stretches between consecutive distinct ends of the samples, plus each exact value as a point of its own. */
function stretches(samples: ReadonlyArray<readonly [number, number]>): Cell[] {
  const ends = [...new Set(samples.flat())].sort((a, b) => a - b)
  const points = new Set(samples.filter(([lo, hi]) => lo === hi).map(([lo]) => lo))
  const cells: Cell[] = []
  ends.forEach((at, i) => {
    if (points.has(at)) cells.push({ lo: at, hi: at })
    const next = ends[i + 1]
    if (next !== undefined) cells.push({ lo: at, hi: next })
  })
  return cells
}
