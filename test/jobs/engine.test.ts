import { MemoryClientShares } from '../../server/jobs/client-shares.ts'
import { MemoryJobQueue } from '../../server/jobs/job-queue.ts'
import { MemoryJobStore } from '../../server/jobs/store.ts'
import { engineContract, engineOn } from './engine-contract.ts'

engineContract('in-memory store', async (settings) =>
  engineOn(settings, {
    store: new MemoryJobStore({ retentionMs: settings.retentionMs }),
    queue: new MemoryJobQueue(settings.maxConcurrent, settings.maxQueue),
    shares: new MemoryClientShares(),
    onClose: 'cancel',
  }),
)
