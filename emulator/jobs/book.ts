// The job lifecycle: a FIFO queue, a pool of workers and the timers that move jobs from waiting to done.
import { randomUUID } from 'node:crypto'
import { type EmulatorCounters, trackInFlight } from '../counters.ts'
import { extensionOf, mimeOf } from '../images/draw.ts'
import type { ImageStore } from '../images/store.ts'
import { type EmulatorOptions, lengthened } from '../options.ts'
import type { TimerSet } from '../timers.ts'
import type { JobRecord, WorkerSeat } from './record.ts'
import { dataUrl, failureReason, imageReference } from './result.ts'
import { freeSeat, workerFor } from './workers.ts'

/** What POST /api/generate asked for, already checked. */
export interface SubmitInput {
  prompt: string
  negative: string
  sampler: string
  scheduler: string
  preferredGpu: string[]
  /** Why the job will fail once it leaves the queue (an unknown name the unknownSampler mode let in), else null. */
  refusal: string | null
}

/** What a JobBook needs from its emulator. */
export interface JobBookDeps {
  options: () => EmulatorOptions
  counters: EmulatorCounters
  images: ImageStore
  timers: TimerSet
}

/** Every job of one emulator, and the clock-driven machine that runs them. */
export class JobBook {
  #deps: JobBookDeps
  #jobs = new Map<string, JobRecord>()
  #byFile = new Map<string, JobRecord>()
  #waiting: JobRecord[] = []
  #seats = new Map<number, JobRecord>()
  #wakeAt = Number.POSITIVE_INFINITY

  constructor(deps: JobBookDeps) {
    this.#deps = deps
  }

  /** Queues a new job and returns it; it starts once it has waited queueMs and a worker is free. */
  submit(input: SubmitInput): JobRecord {
    const options = this.#deps.options()
    const id = randomUUID()
    const imageFile = `job_${id.replaceAll('-', '').slice(0, 8)}_00001_.${extensionOf(options.imageFormat)}`
    const image = {
      prompt: input.prompt,
      format: options.imageFormat,
      size: options.imageSize,
      padBytes: options.imagePadBytes,
    }
    const job: JobRecord = {
      ...input,
      id,
      era: options.era,
      phase: 'waiting',
      submittedAt: Date.now(),
      startedAt: null,
      finishedAt: null,
      firstReportedFinalAt: null,
      result: '',
      imageFile,
      image,
      worker: null,
      statusPolls: 0,
    }
    this.#jobs.set(id, job)
    this.#byFile.set(imageFile, job)
    this.#waiting.push(job)
    this.#deps.counters.submittedPrompts.push(input.prompt)
    trackInFlight(this.#deps.counters, 1)
    this.pump()
    return job
  }

  /** The job with this upstream id, unless it finished longer than finishedTtlMs ago. */
  find(id: string): JobRecord | undefined {
    const job = this.#jobs.get(id)
    return job && !this.#expired(job) ? job : undefined
  }

  /** The job whose image file has this name; an expired job's image goes with it unless expiryKeepsImages. */
  findByFile(file: string): JobRecord | undefined {
    const job = this.#byFile.get(file)
    if (!job || (this.#expired(job) && !this.#deps.options().expiryKeepsImages)) return undefined
    return job
  }

  // Checked at each lookup against the options in force, so shortening the TTL expires old jobs at once.
  #expired(job: JobRecord): boolean {
    const ttl = this.#deps.options().finishedTtlMs
    return ttl !== null && job.finishedAt !== null && Date.now() - job.finishedAt >= ttl
  }

  /** 1-based place in the waiting queue, or 0 once the job has left it. */
  queuePosition(job: JobRecord): number {
    return this.#waiting.indexOf(job) + 1
  }

  /** Every job, oldest first. */
  list(): JobRecord[] {
    return [...this.#jobs.values()]
  }

  /** Starts every waiting job that may start now, and sets a wake-up for the next one that may start later. */
  pump(): void {
    const options = this.#deps.options()
    if (this.#deps.timers.closed || options.stuckWaiting) return
    const now = Date.now()
    for (let head = this.#waiting[0]; head; head = this.#waiting[0]) {
      const readyAt = head.submittedAt + options.queueMs
      if (readyAt > now) {
        if (readyAt < this.#wakeAt) {
          this.#wakeAt = readyAt
          this.#deps.timers.after(readyAt - now, () => this.#wake(readyAt))
        }
        return
      }
      if (head.refusal !== null) {
        // ComfyUI checks the names before it runs anything: the job fails as it leaves the queue, on no worker.
        this.#waiting.shift()
        this.#finish(head, 'failed', head.refusal, false)
        continue
      }
      const seat = freeSeat(new Set(this.#seats.keys()), options.workers)
      if (seat < 0) return
      this.#waiting.shift()
      this.#start(head, seat, options)
    }
  }

  #wake(at: number): void {
    if (this.#wakeAt === at) this.#wakeAt = Number.POSITIVE_INFINITY
    this.pump()
  }

  #start(job: JobRecord, seat: number, options: EmulatorOptions): void {
    job.phase = 'pending'
    job.startedAt = Date.now()
    job.worker = withOverride(workerFor(seat, job.preferredGpu, options.gpus), options)
    this.#seats.set(seat, job)
    const [min, max] = typeof options.runMs === 'number' ? [options.runMs, options.runMs] : options.runMs
    const runMs = min + Math.round(Math.random() * (max - min))
    if (Math.random() < options.failRate) {
      const reason = lengthened(options.failureReason ?? failureReason(), options.longStringChars)
      this.#deps.timers.after(runMs, () => this.#finish(job, 'failed', reason))
      return
    }
    // Encoding starts now, while the job "runs", so answering for the image later is fast.
    const encoded = this.#deps.images.render(job.image)
    encoded.catch(() => undefined)
    this.#deps.timers.after(runMs, () => {
      encoded.then(
        (bytes) => this.#finish(job, 'succeeded', this.#resultFor(job, bytes)),
        (error: Error) => this.#finish(job, 'failed', `image encoder failed: ${error.message}`),
      )
    })
  }

  #resultFor(job: JobRecord, bytes: Buffer): string {
    const options = this.#deps.options()
    const mime = mimeOf(job.image.format)
    if (options.offOriginResult !== null) return options.offOriginResult
    if (job.era === 1) return dataUrl(bytes, mime)
    return imageReference(options.resultShape, job.imageFile, bytes, mime)
  }

  #finish(job: JobRecord, phase: 'succeeded' | 'failed', result: string, pump = true): void {
    if (this.#deps.timers.closed) return
    job.phase = phase
    job.result = result
    job.finishedAt = Date.now()
    if (job.worker) this.#seats.delete(job.worker.index)
    const counters = this.#deps.counters
    if (phase === 'succeeded') counters.completed++
    else counters.failed++
    trackInFlight(counters, -1)
    if (pump) this.pump()
  }
}

/** The seat's worker with the workerOverride fields put in, each lengthened by longStringChars. */
function withOverride(worker: WorkerSeat, options: EmulatorOptions): WorkerSeat {
  const override = options.workerOverride ?? {}
  const pick = (field: keyof typeof override) => {
    const value = override[field]
    return value === undefined ? worker[field] : lengthened(value, options.longStringChars)
  }
  return { ...worker, name: pick('name'), city: pick('city'), country: pick('country'), gpu: pick('gpu') }
}
