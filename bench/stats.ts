// Small statistics over samples: percentiles and medians, NaN when there is nothing to measure.

/** The p-th percentile (0-100) of values, by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

/** The median of values; NaN for no values. */
export function median(values: readonly number[]): number {
  return percentile(values, 50)
}
