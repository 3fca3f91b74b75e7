/** A sync caller hanging up cancels its job only when nobody else follows it. */
import { describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { fetchSse } from '../support/sse.ts'

const harness = useGatewayHarness()

describe('a sync caller hanging up', () => {
  it('leaves the job running when an event stream follows it, and the stream sees it succeed', async () => {
    resetEmulator(harness.emulator, { runMs: 800 })
    const gateway = await harness.openGateway()
    const caller = new AbortController()
    const call = fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'followed by a stream' }),
      signal: caller.signal,
    })
    call.catch(() => 'the caller hung up')
    // The response (and its X-Job-Id) only comes at the end: learn the id from the gateway's log instead.
    let jobId: unknown
    while (!jobId) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      jobId = gateway.logs.find((line) => line.msg === 'job accepted')?.jobId
    }
    const stream = fetchSse(`${gateway.url}/api/jobs/${jobId}/events`)
    // Let the stream attach before the caller goes.
    await new Promise((resolve) => setTimeout(resolve, 200))
    caller.abort()
    const events = await stream
    expect(events.ended).toBe(true)
    expect(events.messages.at(-1)?.event).toBe('succeeded')
  })
})
