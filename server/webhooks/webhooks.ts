/** Webhooks: admits a request's webhook, claims each event as jobs change, and delivers it with retries. */
import { type GenerateRequest, isFinalStatus } from '@akashgen/contract'
import type { Logger } from 'pino'
import { GatewayError } from '../errors.ts'
import type { JobStore } from '../jobs/store.ts'
import { claimDue, dueEvents } from './claims.ts'
import { Destinations } from './destination.ts'
import type { DeliveryQueue, DeliveryTask } from './queue.ts'
import { reconcile, type WebhookJobIndex } from './reconcile.ts'
import type { DeliveryRecord, JobWebhookRecord } from './record.ts'
import { sendAttempt } from './send.ts'
import { secretKey } from './signature.ts'

/** Settings, from the configuration. */
export interface WebhookOptions {
  /** AKASHGEN_WEBHOOK_SECRET; unset: webhooks are refused. */
  secret: string | undefined
  allowHosts: readonly string[]
  /** The wait before each retry, in ms (before jitter). */
  retryDelaysMs: readonly number[]
  timeoutMs: number
  /** AKASHGEN_PUBLIC_URL: the origin of image URLs in payloads, when set. */
  publicUrl: string | undefined
  /** Told of each attempt's result (`retry` when it failed and another is due), e.g. for metrics. */
  onAttempt?: (result: 'delivered' | 'retry' | 'failed') => void
  /** How long a job's record can live (its deadline plus retention): how long it stays indexed. */
  recordTtlMs: number
}

/** What a surface submits: the request without its webhook, and the webhook as the job's record keeps it. */
export interface AdmittedRequest {
  request: GenerateRequest
  webhook?: JobWebhookRecord
}

/** How often each replica reconciles the indexed jobs, and how late an attempt must be to be queued again. */
const RECONCILE_MS = 30_000

/** ±20 %: receivers that failed together are not all retried in the same instant. */
const jitter = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4))

/** The webhook service of one gateway process. */
export class Webhooks {
  readonly #options: WebhookOptions
  readonly #store: JobStore
  readonly #queue: DeliveryQueue
  readonly #logger: Logger
  readonly #destinations: Destinations
  readonly #key: Buffer | undefined
  /** Ends the attempts in flight when the gateway stops. */
  readonly #stopping = new AbortController()
  /** Where unfinished webhook jobs are filed for `reconcile` (Redis only: memory dies with its jobs). */
  readonly #index: WebhookJobIndex | undefined
  /** Jobs this process filed and has not seen final yet, so each is filed once. */
  readonly #filed = new Set<string>()
  #reconciler: NodeJS.Timeout | undefined

  constructor(
    options: WebhookOptions,
    store: JobStore,
    queue: DeliveryQueue,
    logger: Logger,
    index?: WebhookJobIndex,
  ) {
    this.#options = options
    this.#index = index
    this.#store = store
    this.#queue = queue
    this.#logger = logger
    this.#destinations = new Destinations(options.allowHosts)
    this.#key = options.secret === undefined ? undefined : secretKey(options.secret)
  }

  /** Starts claiming events as jobs change (on any replica) and running deliveries; only with a secret. */
  start(): void {
    if (!this.#key) return
    this.#queue.process((task) => this.#attempt(task))
    this.#store.listen({
      changed: (jobId, record) => {
        const job = record()
        if (!job.webhook) return
        this.#file(jobId, job.createdAt, isFinalStatus(job.status))
        if (dueEvents(job).length > 0) void this.#claim(jobId)
      },
      stopRequested: () => {},
      resync: () => {},
    })
    if (!this.#index) return
    // At start (a replica may have died with work undone) and then now and again.
    void this.#reconcile()
    this.#reconciler = setInterval(() => void this.#reconcile(), RECONCILE_MS).unref()
  }

  /**
   * Splits the webhook off `request` and checks it: INVALID_REQUEST naming `webhook` without a secret, or
   * naming `webhook.url` when its host resolves to an address webhooks may not reach.
   */
  async admit(request: GenerateRequest, origin: string): Promise<AdmittedRequest> {
    const { webhook, ...rest } = request
    if (!webhook) return { request: rest }
    if (!this.#key) {
      const message =
        'webhook is not available: this gateway has no AKASHGEN_WEBHOOK_SECRET to sign deliveries with'
      throw new GatewayError('INVALID_REQUEST', `invalid request: ${message}`, {
        details: { formErrors: [], fieldErrors: { webhook: [message] } },
      })
    }
    await this.#destinations.resolve(webhook.url)
    const jobOrigin = this.#options.publicUrl ?? origin
    return { request: rest, webhook: { ...webhook, origin: jobOrigin, deliveries: [] } }
  }

  /** Stops running attempts (those in flight are cut short and count as not made). */
  async close(): Promise<void> {
    clearInterval(this.#reconciler)
    this.#stopping.abort()
    await this.#queue.close()
  }

  /** Files an unfinished webhook job in the index once, before its final state can be missed. */
  #file(jobId: string, createdAt: number, final: boolean): void {
    if (final) {
      this.#filed.delete(jobId)
      return
    }
    if (!this.#index || this.#filed.has(jobId)) return
    this.#filed.add(jobId)
    this.#index
      .add(jobId, createdAt + this.#options.recordTtlMs)
      .catch((error: unknown) => this.#logger.warn({ err: error, jobId }, 'webhook job not indexed'))
  }

  /** One reconcile pass; an unreachable Redis waits for the next. */
  async #reconcile(): Promise<void> {
    if (!this.#index) return
    const deps = {
      store: this.#store,
      index: this.#index,
      claim: (jobId: string) => this.#claim(jobId),
      schedule: (task: DeliveryTask, delayMs: number) => this.#queue.schedule(task, delayMs),
    }
    await reconcile(deps, Date.now(), RECONCILE_MS).catch((error: unknown) =>
      this.#logger.warn({ err: error }, 'webhook reconcile failed'),
    )
  }

  /** Records the job's due events as pending and schedules their first attempts; one replica wins each. */
  async #claim(jobId: string): Promise<void> {
    let tasks: DeliveryTask[] = []
    try {
      await this.#store.update(jobId, (job) => {
        tasks = claimDue(job, Date.now())
        return tasks.length > 0
      })
      await Promise.all(tasks.map((task) => this.#queue.schedule(task, 0)))
    } catch (error) {
      this.#logger.error({ err: error, jobId }, 'could not schedule a webhook delivery')
    }
  }

  /** Makes one attempt, records its outcome, and schedules the next one while the schedule lasts. */
  async #attempt(task: DeliveryTask): Promise<void> {
    const { jobId, event, attempt } = task
    const outcome = await sendAttempt(task, {
      destinations: this.#destinations,
      key: this.#key as Buffer,
      timeoutMs: this.#options.timeoutMs,
      stop: this.#stopping.signal,
    })
    // Cut short by shutdown: not an attempt. On Redis its task runs again on a replica that stays.
    if (this.#stopping.signal.aborted) return
    const delay = !outcome.ok && outcome.retry ? this.#options.retryDelaysMs[attempt - 1] : undefined
    const next = delay === undefined ? undefined : jitter(delay)
    try {
      if (next !== undefined) await this.#queue.schedule({ ...task, attempt: attempt + 1 }, next)
    } catch (error) {
      this.#logger.error({ err: error, jobId, event }, 'could not schedule a webhook retry')
    }
    const now = Date.now()
    const { ok, retry: _retry, ...last } = outcome
    const delivery: DeliveryRecord = {
      event,
      state: ok ? 'delivered' : next === undefined ? 'failed' : 'pending',
      attempts: attempt,
      ...last,
      ...(ok ? { deliveredAt: now } : {}),
      ...(next === undefined ? {} : { nextAttemptAt: now + next }),
    }
    const log = {
      jobId,
      event,
      attempt,
      state: delivery.state,
      status: last.lastStatusCode,
      reason: last.lastError,
    }
    this.#options.onAttempt?.(delivery.state === 'pending' ? 'retry' : delivery.state)
    if (delivery.state === 'failed') this.#logger.warn(log, 'webhook delivery failed')
    else this.#logger.info(log, ok ? 'webhook delivered' : 'webhook attempt failed')
    await this.#store
      .update(jobId, (job) => {
        const deliveries = job.webhook?.deliveries ?? []
        const index = deliveries.findIndex((d) => d.event === event)
        // An attempt made twice (at least once) never overwrites a later one's outcome.
        if (index < 0 || (deliveries[index]?.attempts ?? 0) > attempt) return false
        deliveries[index] = delivery
        return true
      })
      .catch((error: unknown) =>
        this.#logger.warn({ err: error, jobId, event }, 'webhook outcome not recorded'),
      )
  }
}
