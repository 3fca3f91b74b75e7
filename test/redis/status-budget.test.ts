/** Replicas on one Redis split AKASHGEN_STATUS_RPS between them: the deployment keeps the upstream's budget. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { dropPrefix, freshPrefix, REDIS_URL, requireRedis } from '../support/redis.ts'
import { statusCostOfOneJob } from '../support/status-budget.ts'

const harness = useGatewayHarness()
let prefix = ''
afterEach(() => dropPrefix(REDIS_URL, prefix))

/** The live replicas a gateway counts, from its /health. */
const replicasSeenBy = async (url: string) =>
  ((await (await fetch(`${url}/health`)).json()) as { store: { replicas?: number } }).store.replicas

describe('the status budget on two replicas', () => {
  beforeAll(requireRedis)

  it('AKASHGEN_STATUS_RPS=2 on two replicas: the job they poll costs at most one request a second', async () => {
    prefix = freshPrefix()
    resetEmulator(harness.emulator, { queueMs: 0, runMs: 4000 })
    const env = {
      REDIS_URL,
      AKASHGEN_REDIS_PREFIX: prefix,
      AKASHGEN_REDIS_LOCK_MS: '1000',
      AKASHGEN_STATUS_RPS: '2',
      // One slot: one job, so exactly one replica polls it, whichever takes it.
      AKASHGEN_MAX_CONCURRENT: '1',
    }
    const [a, b] = await Promise.all([harness.openGateway(env), harness.openGateway(env)])
    // Each learns of the other from the heartbeats; only then is its share half the budget.
    for (const gateway of [a, b])
      await expect.poll(() => replicasSeenBy(gateway.url), { timeout: 5000 }).toBe(2)
    const cost = await statusCostOfOneJob(harness.emulator, a.url, 'half the budget each')
    expect(cost.requests).toBeGreaterThan(0)
    // A share of 1/s: one request into each second of the run, plus the one at the very start.
    expect(cost.requests).toBeLessThanOrEqual(cost.windows + 1)
  })
})
