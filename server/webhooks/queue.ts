/** Where pending deliveries wait for their attempt: timers in this process, or BullMQ on Redis (redis-queue.ts). */
import type { WebhookEvent } from '@akashgen/contract'

/** One attempt to deliver one event: everything it needs, so it survives the process that scheduled it. */
export interface DeliveryTask {
  jobId: string
  event: WebhookEvent
  /** 1 for the first attempt. */
  attempt: number
  url: string
  /** `webhook-id`: the same on every attempt of the event, so receivers can drop duplicates. */
  messageId: string
  /** The payload, as sent (the signature covers these exact bytes). */
  body: string
}

/** Runs scheduled tasks at least once each. */
export interface DeliveryQueue {
  /** Runs `task` after `delayMs`. */
  schedule(task: DeliveryTask, delayMs: number): Promise<void>
  /** Sets what runs each task (called once, before any schedule). */
  process(run: (task: DeliveryTask) => Promise<void>): void
  /** Stops running tasks; pending ones stay where they are (dropped in memory, kept in Redis). */
  close(): Promise<void>
}

/** Pending deliveries as timers in this process: lost when it stops, like its jobs. */
export class MemoryDeliveryQueue implements DeliveryQueue {
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #running = new Set<Promise<void>>()
  #run: ((task: DeliveryTask) => Promise<void>) | undefined
  #closed = false

  async schedule(task: DeliveryTask, delayMs: number): Promise<void> {
    if (this.#closed) return
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      const running = (this.#run?.(task) ?? Promise.resolve()).finally(() => this.#running.delete(running))
      this.#running.add(running)
    }, delayMs)
    this.#timers.add(timer)
  }

  process(run: (task: DeliveryTask) => Promise<void>): void {
    this.#run = run
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    await Promise.allSettled([...this.#running])
  }
}
