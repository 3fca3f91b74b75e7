/** The live progress panel: status, place in line, worker and elapsed time, and one line per job event. */
import { isFinalStatus, type Job, type Worker } from '@akashgen/contract'

/** The elements the panel writes to. */
export interface ProgressElements {
  panel: HTMLElement
  status: HTMLElement
  queuePosition: HTMLElement
  worker: HTMLElement
  elapsed: HTMLElement
  events: HTMLOListElement
}

/** Shows each job event as it arrives; between events the elapsed time keeps counting. */
export class ProgressView {
  readonly #elements: ProgressElements
  #job: Job | undefined
  #receivedAt = 0
  #ticker: ReturnType<typeof setInterval> | undefined

  constructor(elements: ProgressElements) {
    this.#elements = elements
  }

  /** Empties the panel for a new job and shows it. */
  start(): void {
    const { panel, status, queuePosition, worker, elapsed, events } = this.#elements
    this.stop()
    this.#job = undefined
    status.textContent = 'submitting'
    status.dataset.status = 'submitting'
    for (const field of [queuePosition, worker, elapsed]) field.textContent = '…'
    events.replaceChildren()
    panel.hidden = false
  }

  /** Shows the job as one of its events reported it, and logs the event. */
  show(job: Job): void {
    const { status, queuePosition, worker, events } = this.#elements
    this.#job = job
    this.#receivedAt = performance.now()
    status.textContent = job.status
    status.dataset.status = job.status
    queuePosition.textContent = String(job.queuePosition)
    worker.textContent = job.worker ? describeWorker(job.worker) : 'not assigned yet'
    const line = document.createElement('li')
    line.dataset.status = job.status
    line.textContent = describeEvent(job)
    events.append(line)
    this.#renderElapsed()
    if (isFinalStatus(job.status)) this.stop()
    else this.#ticker ??= setInterval(() => this.#renderElapsed(), 200)
  }

  /** Hides the panel: nothing was accepted, so there is no progress to show. */
  hide(): void {
    this.stop()
    this.#elements.panel.hidden = true
  }

  /** Stops the elapsed-time counter. */
  stop(): void {
    clearInterval(this.#ticker)
    this.#ticker = undefined
  }

  #renderElapsed(): void {
    const job = this.#job
    if (!job) return
    // The view's elapsedMs is the gateway's; between events add the time this page has waited since.
    const waited = isFinalStatus(job.status) ? 0 : performance.now() - this.#receivedAt
    this.#elements.elapsed.textContent = seconds(job.elapsedMs + waited)
  }
}

function describeEvent(job: Job): string {
  switch (job.status) {
    case 'queued':
      return `queued: position ${job.queuePosition} in line`
    case 'running':
      return `running${job.worker ? ` on ${describeWorker(job.worker)}` : ''}`
    case 'succeeded':
      return `succeeded after ${seconds(job.elapsedMs)}`
    default:
      return `${job.status}: ${job.error?.message ?? 'no reason given'}`
  }
}

function describeWorker(worker: Worker): string {
  const place = [worker.city, worker.country].filter(Boolean).join(', ')
  return [worker.name || 'unnamed worker', worker.gpu, place].filter(Boolean).join(' · ')
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
