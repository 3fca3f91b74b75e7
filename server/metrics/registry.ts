/** Every Prometheus metric of one gateway, on a registry of its own (several apps may share a process). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { EngineStats } from '../jobs/engine.ts'
import type { CircuitState } from '../upstream/circuit-breaker.ts'

/** The prefix of every metric name, process metrics included. */
const METRIC_PREFIX = 'akashgen_'

const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`

/** Seconds, from a few milliseconds up to the default 5-minute job deadline. */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300]

/** The gateway's metrics, built by `createMetrics`. */
export type GatewayMetrics = ReturnType<typeof createMetrics>

/**
 * How long the first scrape waits after starting prom-client's process metrics: its event-loop sampler ticks
 * every 10 ms and records from its second tick, so the first answer's lag figures hold samples.
 */
const FIRST_SAMPLES_MS = 50

/** The counter `suffix` of prom-client's process metrics on `registry`. */
function counterOf(registry: Registry, suffix: string): Counter {
  const metric = registry.getSingleMetric(name(suffix))
  if (!(metric instanceof Counter)) throw new Error(`prom-client registered no counter ${name(suffix)}`)
  return metric
}

/** Builds the registry and every metric on it; prom-client's process metrics start with the first scrape. */
export function createMetrics() {
  const registry = new Registry()
  const registers = [registry]
  let processMetrics: Promise<void> | undefined
  return {
    registry,
    /**
     * Starts prom-client's process metrics (CPU, memory, event-loop lag, GC) once, on the first scrape: their
     * event-loop sampler wakes the process 100 times a second and their GC observer runs on every collection,
     * for ever (prom-client cannot stop them), so a gateway nobody scrapes does not pay for them.
     */
    startProcessMetrics(): Promise<void> {
      processMetrics ??= new Promise((resolve) => {
        const spent = process.cpuUsage()
        collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
        // prom-client counts CPU from its registration on: add what the process spent before, so the totals
        // stay the process's since it started.
        const seconds = { user: spent.user / 1e6, system: spent.system / 1e6 }
        counterOf(registry, 'process_cpu_user_seconds_total').inc(seconds.user)
        counterOf(registry, 'process_cpu_system_seconds_total').inc(seconds.system)
        counterOf(registry, 'process_cpu_seconds_total').inc(seconds.user + seconds.system)
        setTimeout(resolve, FIRST_SAMPLES_MS)
      })
      return processMetrics
    },
    httpRequests: new Counter({
      name: name('http_requests_total'),
      help: 'HTTP requests answered, by method, route pattern (tRPC: /trpc/<procedure>) and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: name('http_request_duration_seconds'),
      help: 'Time to answer an HTTP request (for streams: until the response ended), by method, route and status.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    jobsFinished: new Counter({
      name: name('jobs_finished_total'),
      help: 'Jobs this process made final, by final status.',
      labelNames: ['status'] as const,
      registers,
    }),
    queueWait: new Histogram({
      name: name('job_queue_wait_seconds'),
      help: "Time a job waited in the gateway's line: accepted until it took a slot.",
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    upstreamRun: new Histogram({
      name: name('job_upstream_run_seconds'),
      help: 'Time from a job taking its slot until the gateway saw the upstream finish it (succeeded or failed).',
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    deliveryOverhead: new Histogram({
      name: name('job_delivery_overhead_seconds'),
      help: "Time the gateway added after seeing the upstream finish a job until the job's final event was recorded.",
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    upstreamRequests: new Counter({
      name: name('upstream_requests_total'),
      help: 'Requests to the upstream, by endpoint (submit, status, image) and outcome.',
      labelNames: ['endpoint', 'outcome'] as const,
      registers,
    }),
    upstreamDrift: new Counter({
      name: name('upstream_drift_total'),
      help: 'Upstream answers the gateway did not expect: unknown status words, unknown answer shapes.',
      labelNames: ['kind'] as const,
      registers,
    }),
    imageBytesServed: new Counter({
      name: name('image_bytes_served_total'),
      help: 'Image bytes sent to callers, by route.',
      labelNames: ['route'] as const,
      registers,
    }),
    webhookAttempts: new Counter({
      name: name('webhook_attempts_total'),
      help: 'Webhook delivery attempts this process made, by result: delivered, retry (another is due) or failed.',
      labelNames: ['result'] as const,
      registers,
    }),
  }
}

/** Adds the slot and queue gauges, read from `stats` at scrape time (once per scrape for both). */
export function collectEngineStats(metrics: GatewayMetrics, stats: () => Promise<EngineStats>): void {
  let pending: Promise<EngineStats | undefined> | undefined
  // Both gauges are collected in the same scrape: they share one stats() call.
  const current = () => {
    // A scrape while the store is away leaves the gauges out; the store's connection logs the outage.
    pending ??= stats()
      .catch(() => undefined)
      .finally(() => {
        pending = undefined
      })
    return pending
  }
  const registers = [metrics.registry]
  new Gauge({
    name: name('queue_length'),
    help: 'Jobs waiting for a slot. With Redis (REDIS_URL) this is deployment-wide: every replica reports the same line.',
    registers,
    async collect() {
      const now = await current()
      if (now) this.set(now.queued)
    },
  })
  new Gauge({
    name: name('slots_in_use'),
    help: 'Upstream slots in use (jobs running). With Redis (REDIS_URL) this is deployment-wide, not per replica.',
    registers,
    async collect() {
      const now = await current()
      if (now) this.set(now.slotsInUse)
    },
  })
}

/** The circuit breaker's states as gauge values: above 0 means calls to the upstream are being refused. */
const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 }

/** Adds the upstream circuit breaker's state, read at scrape time. */
export function collectCircuitState(metrics: GatewayMetrics, state: () => CircuitState): void {
  new Gauge({
    name: name('upstream_circuit_state'),
    help: 'The upstream circuit breaker of this process: 0 closed (calls go through), 1 half-open (one probe may go), 2 open (calls fail fast with 503 UPSTREAM_UNAVAILABLE).',
    registers: [metrics.registry],
    collect() {
      this.set(CIRCUIT_STATE_VALUE[state()])
    },
  })
}
