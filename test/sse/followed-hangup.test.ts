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
    const accepted = () => gateway.logs.find((line) => line.msg === 'job accepted')?.jobId
    await expect.poll(accepted).toBeTypeOf('string')
    let attached: () => void = () => {}
    const firstEvent = new Promise<void>((resolve) => {
      attached = resolve
    })
    const stream = fetchSse(`${gateway.url}/api/jobs/${accepted()}/events`, {}, () => {
      attached()
      return undefined
    })
    // The stream follows the job once its first event has arrived: only then may the caller go.
    await firstEvent
    caller.abort()
    const events = await stream
    expect(events.ended).toBe(true)
    expect(events.messages.at(-1)?.event).toBe('succeeded')
  })
})
