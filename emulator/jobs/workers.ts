// The pool of GPU workers: which seat a job takes, and the name, city, country and GPU it reports.

const PLACES: ReadonlyArray<readonly [string, string]> = [
  ['Berlin', 'DE'],
  ['Amsterdam', 'NL'],
  ['Toronto', 'CA'],
  ['Austin', 'US'],
  ['Singapore', 'SG'],
  ['Tokyo', 'JP'],
  ['Paris', 'FR'],
  ['Sydney', 'AU'],
]

/** Lowest seat index in [0, workers) not taken, or -1 when every worker is busy. */
export function freeSeat(taken: ReadonlySet<number>, workers: number): number {
  for (let i = 0; i < workers; i++) if (!taken.has(i)) return i
  return -1
}

/** Identity of the worker in a seat; the GPU is the first preferred one the pool has, else the seat's own. */
export function workerFor(index: number, preferred: readonly string[], pool: readonly string[]) {
  const [city, country] = PLACES[index % PLACES.length] ?? ['Berlin', 'DE']
  const gpu = preferred.find((name) => pool.includes(name)) ?? pool[index % pool.length] ?? ''
  return { index, name: `akash-worker-${index + 1}`, city, country, gpu }
}
