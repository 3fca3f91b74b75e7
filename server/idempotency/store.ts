/** Where Idempotency-Key reservations live: this process's memory, or Redis (shared by every replica). */

/** What a key holds: the request's fingerprint, and its jobs once they were accepted (null while pending). */
export interface IdempotencyRecord {
  fingerprint: string
  jobIds: string[] | null
}

/** Atomic reservations of keys (already hashed: callers never pass a raw key or credential). */
export interface IdempotencyStore {
  /**
   * Reserves `key` for `ttlMs` as pending with `fingerprint` if nobody holds it, resolving undefined; otherwise
   * resolves with the record that holds it. Two racing callers can never both reserve.
   */
  reserve(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyRecord | undefined>
  /** Records the jobs of a reservation this caller holds, keeping them for `ttlMs`. */
  complete(key: string, record: IdempotencyRecord, ttlMs: number): Promise<void>
  /** Drops a pending reservation this caller holds (its submission failed), so a retry may submit again. */
  release(key: string, fingerprint: string): Promise<void>
  close(): void
}

interface Held {
  record: IdempotencyRecord
  expiresAt: number
}

/** How often expired keys are dropped from memory. */
const SWEEP_INTERVAL_MS = 60_000

/** Keys one process remembers at most (about 250 bytes each): beyond it the oldest are forgotten first. */
const MAX_MEMORY_KEYS = 100_000

/**
 * The in-memory store: one Map, checked and set in one synchronous step, so reservations are atomic. It holds
 * at most `maxKeys` keys: 24 hours of keys from a busy caller must not grow the heap without bound, so past
 * the cap the oldest key is forgotten (a replay of it would then submit again).
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #held = new Map<string, Held>()
  readonly #sweeper = setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS).unref()
  readonly #maxKeys: number

  constructor(maxKeys = MAX_MEMORY_KEYS) {
    this.#maxKeys = maxKeys
  }

  async reserve(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyRecord | undefined> {
    const held = this.#held.get(key)
    if (held && held.expiresAt > Date.now()) return held.record
    this.#held.delete(key)
    this.#held.set(key, { record: { fingerprint, jobIds: null }, expiresAt: Date.now() + ttlMs })
    // Insertion order is age order: the first key is the oldest.
    for (const oldest of this.#held.keys()) {
      if (this.#held.size <= this.#maxKeys) break
      this.#held.delete(oldest)
    }
    return undefined
  }

  async complete(key: string, record: IdempotencyRecord, ttlMs: number): Promise<void> {
    this.#held.set(key, { record, expiresAt: Date.now() + ttlMs })
  }

  async release(key: string, fingerprint: string): Promise<void> {
    const held = this.#held.get(key)
    if (held && held.record.jobIds === null && held.record.fingerprint === fingerprint) this.#held.delete(key)
  }

  close(): void {
    clearInterval(this.#sweeper)
  }

  #sweep(): void {
    const now = Date.now()
    for (const [key, held] of this.#held) if (held.expiresAt <= now) this.#held.delete(key)
  }
}
