/**
 * Turnbull's estimator: the nonparametric maximum-likelihood distribution of values each known only to lie in
 * a closed interval [lo, hi] (an exact value is [v, v]). The mass sits on the "innermost" intervals, the
 * stretches where some interval starts and no interval ends before it; each observation shares itself among
 * the innermost intervals inside it in proportion to their current mass, until the masses settle (EM).
 */

/** A share `p` of the distribution, somewhere in [lo, hi]. */
export interface Mass {
  lo: number
  hi: number
  p: number
}

/** EM rounds at most: plenty for the 64 samples the duration model keeps, and a bound on the CPU spent. */
const MAX_ROUNDS = 100
/** The masses have settled when no share moves by more than this between rounds. */
const SETTLED = 1e-4

/** The estimate for `samples` ([lo, hi] pairs with lo <= hi), masses in increasing order; [] when empty. */
export function turnbull(samples: ReadonlyArray<readonly [number, number]>): Mass[] {
  const cells = innermost(samples)
  // Which cells each sample covers: its share goes only there.
  const covers = samples.map(([lo, hi]) =>
    cells.flatMap((cell, k) => (lo <= cell.lo && cell.hi <= hi ? [k] : [])),
  )
  let p = cells.map(() => 1 / cells.length)
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = cells.map(() => 0)
    for (const ks of covers) {
      const total = ks.reduce((sum, k) => sum + (p[k] as number), 0)
      for (const k of ks) next[k] = (next[k] as number) + (p[k] as number) / total / samples.length
    }
    const moved = Math.max(...next.map((value, k) => Math.abs(value - (p[k] as number))))
    p = next
    if (moved < SETTLED) break
  }
  return cells.map((cell, k) => ({ ...cell, p: p[k] as number })).filter((mass) => mass.p > 1e-6)
}

/** The innermost intervals: a left end followed, in sorted order, directly by a right end (lefts first on ties). */
function innermost(samples: ReadonlyArray<readonly [number, number]>): Array<{ lo: number; hi: number }> {
  const ends = samples
    .flatMap(([lo, hi]) => [
      { at: lo, left: true },
      { at: hi, left: false },
    ])
    .sort((a, b) => a.at - b.at || Number(b.left) - Number(a.left))
  const cells: Array<{ lo: number; hi: number }> = []
  for (let i = 0; i + 1 < ends.length; i++) {
    const [start, end] = [ends[i], ends[i + 1]]
    if (start?.left && end && !end.left) cells.push({ lo: start.at, hi: end.at })
  }
  return cells
}
