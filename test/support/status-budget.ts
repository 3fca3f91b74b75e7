/** Status requests one job costs, next to the seconds it ran: the evidence that a status budget holds. */
import type { Emulator } from '@akashgen/emulator'
import { expect } from 'vitest'

/** What one job cost: status requests the emulator saw, and the one-second windows its run spanned. */
export interface StatusCost {
  requests: number
  windows: number
}

/** Runs `prompt` to its image through the sync route and counts the status requests it took. */
export async function statusCostOfOneJob(
  emulator: Emulator,
  gatewayUrl: string,
  prompt: string,
): Promise<StatusCost> {
  emulator.resetCounters()
  const started = performance.now()
  const answer = await fetch(`${gatewayUrl}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  })
  expect(answer.status).toBe(200)
  await answer.arrayBuffer()
  const windows = Math.ceil((performance.now() - started) / 1000)
  return { requests: emulator.counters.statusRequests, windows }
}
