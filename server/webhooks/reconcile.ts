/** Repairs what a replica dying at the wrong moment leaves behind: events nobody claimed, attempts never queued. */
import { isFinalStatus } from '@akashgen/contract'
import type { JobStore } from '../jobs/store.ts'
import { dueEvents, taskFor } from './claims.ts'
import type { DeliveryTask } from './queue.ts'

/** The jobs with a webhook that may still need something, kept where every replica can read them (Redis). */
export interface WebhookJobIndex {
  /** Files the job until `expiresAt` (epoch ms), when its record is gone anyway. */
  add(jobId: string, expiresAt: number): Promise<void>
  /** The jobs filed and not expired. */
  list(now: number): Promise<string[]>
  remove(jobId: string): Promise<void>
}

/** What a pass works with. */
export interface ReconcileDeps {
  store: JobStore
  index: WebhookJobIndex
  /** Claims the job's due events (a no-op when another replica did). */
  claim(jobId: string): Promise<void>
  schedule(task: DeliveryTask, delayMs: number): Promise<void>
}

/**
 * One pass over the indexed jobs: claims due events (the replica that made the job final died before anyone
 * claimed them), queues again attempts overdue by `overdueMs` (the replica died between claim and queue; the
 * queue drops an attempt it still holds), and unfiles jobs with nothing left to deliver.
 */
export async function reconcile(deps: ReconcileDeps, now: number, overdueMs: number): Promise<void> {
  const { store, index } = deps
  for (const jobId of await index.list(now)) {
    const job = await store.get(jobId)
    if (!job?.webhook) {
      await index.remove(jobId)
      continue
    }
    if (dueEvents(job).length > 0) {
      await deps.claim(jobId)
      continue
    }
    const pending = job.webhook.deliveries.filter((delivery) => delivery.state === 'pending')
    for (const delivery of pending) {
      if ((delivery.nextAttemptAt ?? 0) < now - overdueMs)
        await deps.schedule(taskFor(job, delivery.event, delivery.attempts + 1, now), 0)
    }
    if (isFinalStatus(job.status) && pending.length === 0) await index.remove(jobId)
  }
}
