import { pino } from 'pino'
import { JobEngine } from '../../server/jobs/engine.ts'
import { MemoryJobQueue } from '../../server/jobs/job-queue.ts'
import { MemoryJobStore } from '../../server/jobs/store.ts'
import { engineContract, upstreamParts } from './engine-contract.ts'

engineContract('in-memory store', async (settings) => {
  const { upstream, poller } = upstreamParts(settings.upstreamUrl)
  const engine = new JobEngine({
    options: {
      jobTimeoutMs: settings.jobTimeoutMs,
      sweepIntervalMs: settings.sweepIntervalMs,
      imageCacheBytes: 10_000_000,
      retentionMs: settings.retentionMs,
      onClose: 'cancel',
    },
    upstream,
    poller,
    store: new MemoryJobStore({ retentionMs: settings.retentionMs }),
    queue: new MemoryJobQueue(settings.maxConcurrent, settings.maxQueue),
    logger: pino({ level: 'silent' }),
  })
  return {
    engine,
    poller,
    async close() {
      await engine.close()
      poller.close()
    },
  }
})
