import { describe, expect, it, vi } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { parseMetrics, scrape } from './prometheus-text.ts'

const harness = useGatewayHarness()

const generate = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

const WAIT = { timeout: 10_000, interval: 20 }

describe('GET /metrics', () => {
  it('serves the Prometheus text format from a registry of its own, process metrics included', async () => {
    const [one, two] = [await harness.openGateway(), await harness.openGateway()]
    await fetch(`${one.url}/health`)
    // The gateway runs in this process: its CPU total since start is at least what this process spent so far.
    const spent = process.cpuUsage()
    const response = await fetch(`${one.url}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const metrics = parseMetrics(await response.text())
    expect(metrics.type.get('akashgen_http_requests_total')).toBe('counter')
    expect(metrics.type.get('akashgen_job_queue_wait_seconds')).toBe('histogram')
    expect(metrics.type.get('akashgen_slots_in_use')).toBe('gauge')
    expect(metrics.help.get('akashgen_queue_length')).toContain('deployment-wide')
    expect(metrics.has('akashgen_process_cpu_user_seconds_total')).toBe(true)
    expect(metrics.has('akashgen_nodejs_eventloop_lag_seconds')).toBe(true)
    // The process metrics start with this first scrape: their event-loop figures already hold samples (an
    // empty sampler reads a minimum of 9.2e9 seconds and a p99 of 0).
    expect(metrics.value('akashgen_nodejs_eventloop_lag_min_seconds')).toBeGreaterThan(0)
    expect(metrics.value('akashgen_nodejs_eventloop_lag_min_seconds')).toBeLessThan(1)
    expect(metrics.value('akashgen_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0)
    // prom-client counts CPU from the first scrape on; the totals still cover the whole life of the process.
    const total = metrics.value('akashgen_process_cpu_seconds_total')
    expect(total).toBeGreaterThanOrEqual((spent.user + spent.system) / 1e6)
    expect(metrics.value('akashgen_process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(spent.user / 1e6)
    expect(metrics.samples.every((s) => s.name.startsWith('akashgen_'))).toBe(true)
    expect(metrics.value('akashgen_http_requests_total', { route: '/health' })).toBe(1)
    // Each app counts only its own requests.
    expect((await scrape(two.url)).value('akashgen_http_requests_total', { route: '/health' })).toBe(0)
  })

  it('counts requests by route pattern and status, jobs by status, upstream calls and image bytes', async () => {
    const gateway = await harness.openGateway()
    const made = await generate(gateway.url, { prompt: 'a lighthouse at dawn' })
    expect(made.status).toBe(200)
    const streamed = (await made.arrayBuffer()).byteLength
    const jobId = made.headers.get('x-job-id')
    const download = await fetch(`${gateway.url}/api/jobs/${jobId}/image`)
    expect(download.status).toBe(200)
    const downloaded = (await download.arrayBuffer()).byteLength
    expect((await generate(gateway.url, { prompt: '' })).status).toBe(400)
    harness.emulator.configure({ failRate: 1 })
    expect((await generate(gateway.url, { prompt: 'a storm at sea' })).status).toBe(502)
    expect((await fetch(`${gateway.url}/trpc/health`)).status).toBe(200)

    const metrics = await scrape(gateway.url)
    const requests = (route: string, status: string, method = 'POST') =>
      metrics.value('akashgen_http_requests_total', { method, route, status_code: status })
    expect(requests('/api/generate', '200')).toBe(1)
    expect(requests('/api/generate', '400')).toBe(1)
    expect(requests('/api/generate', '502')).toBe(1)
    expect(requests('/api/jobs/:id/image', '200', 'GET')).toBe(1)
    expect(requests('/trpc/health', '200', 'GET')).toBe(1)
    // Never the raw URL.
    expect(metrics.samples.some((s) => s.labels.route?.includes(String(jobId)))).toBe(false)
    expect(metrics.value('akashgen_http_request_duration_seconds_count', { route: '/api/generate' })).toBe(3)

    expect(metrics.value('akashgen_jobs_finished_total', { status: 'succeeded' })).toBe(1)
    expect(metrics.value('akashgen_jobs_finished_total', { status: 'failed' })).toBe(1)

    const upstream = (endpoint: string, outcome: string) =>
      metrics.value('akashgen_upstream_requests_total', { endpoint, outcome })
    expect(upstream('submit', 'ok')).toBe(2)
    expect(upstream('status', 'ok')).toBeGreaterThanOrEqual(2)
    // The sync route streamed it from the upstream; the download fetched it again into the cache.
    expect(upstream('image', 'ok')).toBe(2)
    expect(
      metrics.value('akashgen_upstream_requests_total') -
        metrics.value('akashgen_upstream_requests_total', { outcome: 'ok' }),
    ).toBe(0)

    expect(metrics.value('akashgen_image_bytes_served_total', { route: '/api/generate' })).toBe(streamed)
    expect(metrics.value('akashgen_image_bytes_served_total', { route: '/api/jobs/:id/image' })).toBe(
      downloaded,
    )
    expect(metrics.value('akashgen_image_bytes_served_total')).toBe(streamed + downloaded)

    // Both jobs waited in line and ran upstream; the upstream finished both (one succeeded, one failed).
    expect(metrics.value('akashgen_job_queue_wait_seconds_count')).toBe(2)
    expect(metrics.value('akashgen_job_upstream_run_seconds_count')).toBe(2)
    expect(metrics.value('akashgen_job_delivery_overhead_seconds_count')).toBe(2)
    expect(metrics.value('akashgen_job_upstream_run_seconds_sum')).toBeGreaterThan(0)
    expect(metrics.value('akashgen_job_upstream_run_seconds_bucket', { le: '+Inf' })).toBe(2)
  })

  it('counts upstream failures by outcome', async () => {
    const gateway = await harness.openGateway()
    // 500, not 503: a 503 on submit is retried (and would succeed here).
    harness.emulator.configure({ faults: { submit: { status: 500, times: 1 } } })
    expect((await generate(gateway.url, { prompt: 'one' })).status).toBe(502)
    harness.emulator.configure({ faults: { submit: { status: 400, times: 1 } } })
    expect((await generate(gateway.url, { prompt: 'two' })).status).toBe(502)
    harness.emulator.configure({ faults: { submit: { malformed: true, times: 1 } } })
    expect((await generate(gateway.url, { prompt: 'three' })).status).toBe(502)
    const metrics = await scrape(gateway.url)
    const submit = (outcome: string) =>
      metrics.value('akashgen_upstream_requests_total', { endpoint: 'submit', outcome })
    expect([submit('http_5xx'), submit('http_4xx'), submit('malformed'), submit('ok')]).toEqual([1, 1, 1, 0])
    expect(metrics.value('akashgen_jobs_finished_total', { status: 'failed' })).toBe(3)
    // Submits that failed never reached the upstream's end of the job.
    expect(metrics.value('akashgen_job_upstream_run_seconds_count')).toBe(0)
  })

  it('counts drift when the upstream reports a status word it does not know', async () => {
    const gateway = await harness.openGateway()
    const drift = async () =>
      (await scrape(gateway.url)).value('akashgen_upstream_drift_total', { kind: 'unknown_status' })
    expect(await drift()).toBe(0)
    harness.emulator.configure({ unknownStatus: 'rendering', runMs: 400 })
    const accepted = await generate(gateway.url, { prompt: 'a fox' }, { prefer: 'respond-async' })
    expect(accepted.status).toBe(202)
    await vi.waitFor(async () => expect(await drift()).toBeGreaterThanOrEqual(1), WAIT)
    expect(
      (await scrape(gateway.url)).value('akashgen_upstream_drift_total', { kind: 'unknown_shape' }),
    ).toBe(0)
  })

  it('shows a busy slot and a job in line while a long job runs, and neither once they end', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_MAX_CONCURRENT: '1' })
    harness.emulator.configure({ stuckWaiting: true })
    const gauges = async () => {
      const metrics = await scrape(gateway.url)
      return [metrics.value('akashgen_slots_in_use'), metrics.value('akashgen_queue_length')]
    }
    expect(await gauges()).toEqual([0, 0])
    const ids: string[] = []
    for (const prompt of ['a long one', 'the next one']) {
      const accepted = await generate(gateway.url, { prompt }, { prefer: 'respond-async' })
      expect(accepted.status).toBe(202)
      ids.push(String(accepted.headers.get('x-job-id')))
    }
    await vi.waitFor(async () => expect(await gauges()).toEqual([1, 1]), WAIT)
    // The one in line first, so it never takes the slot the running one frees.
    for (const id of ids.toReversed()) await fetch(`${gateway.url}/api/jobs/${id}`, { method: 'DELETE' })
    await vi.waitFor(async () => expect(await gauges()).toEqual([0, 0]), WAIT)
    const metrics = await scrape(gateway.url)
    expect(metrics.value('akashgen_jobs_finished_total', { status: 'cancelled' })).toBe(2)
    // Only the first job ever took a slot.
    expect(metrics.value('akashgen_job_queue_wait_seconds_count')).toBe(1)
  })
})
