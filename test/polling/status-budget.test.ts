/** AKASHGEN_STATUS_RPS caps the status requests one gateway sends, whatever the cold poll interval asks for. */
import { describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { statusCostOfOneJob } from '../support/status-budget.ts'

const harness = useGatewayHarness()

describe('AKASHGEN_STATUS_RPS', () => {
  it('at 1, a 3-second job costs at most one status request per second it ran (the default is 5)', async () => {
    resetEmulator(harness.emulator, { queueMs: 0, runMs: 3000 })
    // The 20 ms cold interval would ask every tick: only the budget holds it back.
    const gateway = await harness.openGateway({ AKASHGEN_STATUS_RPS: '1' })
    const cost = await statusCostOfOneJob(harness.emulator, gateway.url, 'one a second')
    expect(cost.requests).toBeGreaterThan(0)
    // A sliding one-second window lets one request into each second, plus the one at the very start.
    expect(cost.requests).toBeLessThanOrEqual(cost.windows + 1)
  })
})
