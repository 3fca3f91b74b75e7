// prom-client's process metrics wake the process 100 times a second for ever: they start with the first scrape.
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../server/metrics/registry.ts'

const LAG = 'akashgen_nodejs_eventloop_lag_seconds'

describe('process metrics', () => {
  it('are not collected until the first scrape asks for them, then once', async () => {
    const metrics = createMetrics()
    expect(metrics.registry.getSingleMetric(LAG)).toBeUndefined()
    expect(await metrics.registry.metrics()).not.toContain('akashgen_process_cpu')
    await Promise.all([metrics.startProcessMetrics(), metrics.startProcessMetrics()])
    await metrics.startProcessMetrics()
    expect(metrics.registry.getSingleMetric(LAG)).toBeDefined()
    expect(await metrics.registry.metrics()).toContain('akashgen_process_cpu_seconds_total')
  })
})
