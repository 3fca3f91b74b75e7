import { pino } from 'pino'
import { JobEngine } from '../../server/jobs/engine.ts'
import { MemoryJobStore } from '../../server/jobs/store.ts'
import { engineContract, upstreamParts } from './engine-contract.ts'

engineContract('in-memory store', async (settings) => {
  const { upstream, poller } = upstreamParts(settings.upstreamUrl)
  const store = new MemoryJobStore({ retentionMs: settings.retentionMs, maxImageBytes: 10_000_000 })
  const engine = new JobEngine({
    options: {
      maxConcurrent: settings.maxConcurrent,
      maxQueue: settings.maxQueue,
      jobTimeoutMs: settings.jobTimeoutMs,
      sweepIntervalMs: settings.sweepIntervalMs,
    },
    upstream,
    poller,
    store,
    logger: pino({ level: 'silent' }),
  })
  return {
    engine,
    poller,
    async close() {
      engine.close()
      poller.close()
    },
  }
})
