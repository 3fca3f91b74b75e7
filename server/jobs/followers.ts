/** Who follows which job (a waiting request, an open stream): a job nobody follows may be abandoned. */

/** Follow counts per job. */
export class Followers {
  readonly #counts = new Map<string, number>()

  /** Marks the job as followed until the returned function is called (once; later calls do nothing). */
  follow(jobId: string): () => void {
    this.#counts.set(jobId, (this.#counts.get(jobId) ?? 0) + 1)
    let followed = true
    return () => {
      if (!followed) return
      followed = false
      const left = (this.#counts.get(jobId) ?? 1) - 1
      if (left > 0) this.#counts.set(jobId, left)
      else this.#counts.delete(jobId)
    }
  }

  /** True while anyone follows the job. */
  has(jobId: string): boolean {
    return this.#counts.has(jobId)
  }
}
