/**
 * The real gateway against the real emulator in each of the upstream's possible `elapsed_time` behaviours: frozen
 * at the job's end, growing after it, or absent. The poller must learn the same job time from all three, and
 * spend as few status requests per image in each.
 */
import type { ElapsedTimeMode } from '@akashgen/emulator'
import { describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()
const RUN_MS = 300
const JOBS = 12

/** Runs JOBS lone jobs one after the other; returns what the poller learned and the status requests per image. */
async function loneJobs(
  mode: ElapsedTimeMode,
): Promise<{ typicalJobMs: number | undefined; statusPerImage: number }> {
  resetEmulator(harness.emulator, { queueMs: 0, runMs: RUN_MS, elapsedTime: mode })
  const gateway = await harness.openGateway({ AKASHGEN_POLL_INTERVAL_MS: '100' })
  for (let i = 0; i < JOBS; i++) {
    const answer = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: `elapsed ${mode} ${i}` }),
    })
    expect(answer.status).toBe(200)
    await answer.arrayBuffer()
  }
  return {
    typicalJobMs: gateway.app.poller.typicalJobMs,
    statusPerImage: harness.emulator.counters.statusRequests / JOBS,
  }
}

describe('learning job times whatever elapsed_time does after the end', () => {
  for (const mode of ['frozen', 'growing', 'absent'] as const) {
    it(`elapsed_time ${mode}: the learned job time is the emulator's, not when the gateway saw the end`, async () => {
      const { typicalJobMs, statusPerImage } = await loneJobs(mode)
      // Learning when jobs were seen final instead would add the poll's lag to every job, and that lag grows
      // with the learned time: 300 ms jobs were learned as about 410 ms with a growing elapsed_time.
      expect(typicalJobMs).toBeGreaterThan(RUN_MS * 0.75)
      expect(typicalJobMs).toBeLessThan(RUN_MS * 1.2)
      expect(statusPerImage).toBeLessThanOrEqual(4)
    })
  }
})
