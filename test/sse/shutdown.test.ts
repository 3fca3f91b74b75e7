// Shutdown with event streams open: `app.close()` ends them cleanly instead of waiting for their jobs.

import { createAkashGenClient } from '@akashgen/client'
import { describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { fetchSse } from '../support/sse.ts'

const harness = useGatewayHarness()

/** Resolves with `value` after `ms`, to race against something that should have settled long before. */
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms))

describe('closing the gateway with event streams open', () => {
  it('ends a REST stream and a tRPC subscription of an unfinished job and returns promptly', async () => {
    resetEmulator(harness.emulator, { stuckWaiting: true })
    // Closed by the test itself; the harness's second close() after the test then does nothing.
    const open = await harness.openGateway()
    const client = createAkashGenClient({ url: open.url })
    const { jobId } = await client.generate.mutate({ prompt: 'never finishes' })

    let restFirst: () => void = () => {}
    const restStarted = new Promise<void>((resolve) => {
      restFirst = resolve
    })
    const rest = fetchSse(`${open.url}/api/jobs/${jobId}/events`, {}, () => {
      restFirst()
      return undefined
    })
    const subscription = { types: [] as string[], completed: false, error: undefined as unknown }
    let trpcFirst: () => void = () => {}
    const trpcStarted = new Promise<void>((resolve) => {
      trpcFirst = resolve
    })
    const trpcEnded = new Promise<void>((resolve) => {
      client.jobEvents.subscribe(
        { jobId },
        {
          onData: ({ data }) => {
            subscription.types.push(data.type)
            trpcFirst()
          },
          onComplete: () => {
            subscription.completed = true
            resolve()
          },
          onError: (error) => {
            subscription.error = error
            resolve()
          },
        },
      )
    })
    await Promise.all([restStarted, trpcStarted])

    const closed = open.close().then(() => 'closed')
    await expect(Promise.race([closed, later(3000, 'still open')])).resolves.toBe('closed')

    const restStream = await rest
    expect(restStream.ended).toBe(true)
    expect(restStream.messages.map((message) => message.event)).toContain('queued')
    await expect(Promise.race([trpcEnded.then(() => 'ended'), later(1000, 'still open')])).resolves.toBe(
      'ended',
    )
    expect(subscription).toMatchObject({ completed: true, error: undefined })
    expect(subscription.types).toContain('queued')
  })
})
