/** app.close() in memory mode: every unfinished job ends SHUTTING_DOWN, and its caller is told so. */
import { createAkashGenClient } from '@akashgen/client'
import { describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

/** Slots in use and jobs in line, from the gateway's /health. */
const load = async (url: string) => {
  const health = (await (await fetch(`${url}/health`)).json()) as {
    slots: { inUse: number }
    queue: { length: number }
  }
  return { inUse: health.slots.inUse, queued: health.queue.length }
}

describe('closing a memory-mode gateway with jobs unfinished', () => {
  it('a running job and a queued one end cancelled with SHUTTING_DOWN; the waiting caller gets 503', async () => {
    // Jobs never finish upstream: only the shutdown can end them (the deadline is far away).
    resetEmulator(harness.emulator, { stuckWaiting: true })
    const gateway = await harness.openGateway({
      AKASHGEN_MAX_CONCURRENT: '1',
      AKASHGEN_JOB_TIMEOUT_MS: '8000',
    })
    const waiting = fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'runs at shutdown' }),
    })
    await expect.poll(() => load(gateway.url)).toEqual({ inUse: 1, queued: 0 })
    const client = createAkashGenClient({ url: gateway.url })
    const queued = await client.generate.mutate({ prompt: 'waits at shutdown' })
    await expect.poll(() => load(gateway.url)).toEqual({ inUse: 1, queued: 1 })
    // The sync route names its job in the "job accepted" line long before it answers.
    const runningId = String(gateway.logs.find((line) => line.msg === 'job accepted')?.jobId)

    await gateway.app.close()

    const answer = await waiting
    expect(answer.status).toBe(503)
    expect(await answer.json()).toMatchObject({ code: 'SHUTTING_DOWN' })
    const { engine } = gateway.app.services
    for (const jobId of [runningId, queued.jobId]) {
      const job = await engine.get(jobId)
      expect({ status: job?.status, code: job?.error?.code }).toEqual({
        status: 'cancelled',
        code: 'SHUTTING_DOWN',
      })
    }
    expect(engine.active).toBe(0)
  })
})
