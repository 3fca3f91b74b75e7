/** The engine contract, third part: jobs owned by their key, and each caller's share of slots and places. */
import { GenerateInput } from '@akashgen/contract'
import { describe, expect, it, vi } from 'vitest'
import type { Caller } from '../../server/jobs/job-access.ts'
import type { ContractHarness } from './engine-contract.ts'

const KEY_A: Caller = { id: 'key:aaaaaaaaaaaaaaaa', keyed: true }
const KEY_B: Caller = { id: 'key:bbbbbbbbbbbbbbbb', keyed: true }
const request = (prompt: string) => GenerateInput.parse({ prompt })
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

/** Ownership and fair shares, whatever store backs the engine. */
export function ownersContract(harness: ContractHarness): void {
  describe('owners', () => {
    it("another key's job is NOT_FOUND to read, download and cancel, and it runs on", async () => {
      const { engine, final } = await harness.setup({}, { runMs: 300 })
      const job = await engine.submit(request('owned'), KEY_A)
      const unknown = await refusal(engine.require('00000000-0000-4000-8000-000000000000', KEY_B))
      for (const attempt of [
        engine.require(job.id, KEY_B),
        engine.cancel(job.id, { caller: KEY_B }),
        engine.image(job.id, { caller: KEY_B }),
      ]) {
        const error = await refusal(attempt)
        expect(error).toMatchObject({ code: 'NOT_FOUND' })
        expect((error as Error).message.replace(job.id, '<id>')).toBe(
          (unknown as Error).message.replace('00000000-0000-4000-8000-000000000000', '<id>'),
        )
      }
      expect((await final(job.id)).status).toBe('succeeded')
      expect((await engine.require(job.id, KEY_A)).owner).toBe(KEY_A.id)
      expect((await engine.image(job.id, { caller: KEY_A })).bytes.byteLength).toBeGreaterThan(0)
    })
  })

  describe('fair shares', () => {
    it("counts a caller's queued and running jobs, refuses the next with CLIENT_LIMIT, and not another caller", async () => {
      const { engine, final } = await harness.setup(
        { maxConcurrent: 1, maxQueue: 5, maxJobsPerClient: 2 },
        { runMs: 300 },
      )
      const held = [await engine.submit(request('runs'), KEY_A), await engine.submit(request('waits'), KEY_A)]
      const refused = await refusal(engine.submit(request('over'), KEY_A))
      expect(refused).toMatchObject({
        code: 'CLIENT_LIMIT',
        status: 429,
        details: { limit: 'AKASHGEN_MAX_JOBS_PER_CLIENT', max: 2 },
      })
      expect((refused as { retryAfterS: number }).retryAfterS).toBeGreaterThanOrEqual(1)
      expect(await engine.stats()).toMatchObject({ retained: 2 })
      const other = await engine.submit(request("B's"), KEY_B)
      for (const job of [...held, other]) expect((await final(job.id)).status).toBe('succeeded')
      const again = await vi.waitFor(() => engine.submit(request('again'), KEY_A))
      expect(again.client).toBe(KEY_A.id)
    })

    it('gives the place back when a job is cancelled, times out or fails', async () => {
      const { engine, final } = await harness.setup(
        { maxJobsPerClient: 1, jobTimeoutMs: 1000 },
        { stuckWaiting: true },
      )
      // The place is given back just after the record turns final: the next submission retries until then.
      const next = (prompt: string) => vi.waitFor(() => engine.submit(request(prompt), KEY_A))
      const stuck = await next('times out')
      expect((await final(stuck.id)).status).toBe('timed_out')
      const cancelled = await next('cancelled')
      expect((await engine.cancel(cancelled.id, { caller: KEY_A })).status).toBe('cancelled')
      harness.emulator.configure({ stuckWaiting: false, failRate: 1 })
      const failed = await next('fails')
      expect((await final(failed.id)).status).toBe('failed')
      expect(await next('after all three')).toMatchObject({ owner: KEY_A.id, client: KEY_A.id })
    })
  })
}
