// What a hostile upstream can no longer do to the gateway: gzip bombs and huge answers, a storm of image
// downloads, worker names a header cannot carry, and megabyte strings in records and error bodies.
import { describe, expect, it, vi } from 'vitest'
import type { JobRecord } from '../../server/jobs/job-record.ts'
import {
  MAX_FAILURE_REASON_CHARS,
  MAX_UPSTREAM_JSON_BYTES,
  MAX_WORKER_FIELD_CHARS,
  TRUNCATION_MARKER,
} from '../../server/upstream/limits.ts'
import { scrape } from '../metrics/prometheus-text.ts'
import { servedImage, upstreamJobFor } from '../support/emulator.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()
const MiB = 1024 * 1024

/** POST /api/generate; `view` asks for the finished Job view instead of the bytes. */
async function generate(gateway: TestGateway, prompt: string, view = false) {
  const response = await fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(view ? { accept: 'application/json' } : {}) },
    body: JSON.stringify({ prompt }),
  })
  const bytes = Buffer.from(await response.arrayBuffer())
  return { status: response.status, headers: response.headers, bytes, text: bytes.toString('utf8') }
}

/** GET a job's image from the gateway: status and bytes. */
async function jobImage(gateway: TestGateway, jobId: string, signal?: AbortSignal) {
  const response = await fetch(`${gateway.url}/api/jobs/${jobId}/image`, { signal })
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) }
}

/** The record the gateway's engine keeps for a job. */
const recordOf = (gateway: TestGateway, jobId: string) =>
  gateway.app.services.engine.get(jobId) as Promise<JobRecord>

describe('upstream JSON is read through a byte cap', () => {
  it('a gzip-bomb submit answer is refused as UPSTREAM_ERROR naming the limit', async () => {
    const gateway = await harness.openGateway()
    harness.emulator.configure({ faults: { submit: { gzipBombBytes: 256 * MiB } } })
    const answer = await generate(gateway, 'a bomb on submit')
    expect(answer.status).toBe(502)
    const body = JSON.parse(answer.text)
    expect(body.code).toBe('UPSTREAM_ERROR')
    expect(body.details).toMatchObject({ operation: 'submit', maxBytes: MAX_UPSTREAM_JSON_BYTES })
  })

  it('a gzip-bomb status answer is an upstream failure at every poll, logged once, and the job goes on', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_UPSTREAM_RETRY_BASE_MS: '10' })
    harness.emulator.configure({ faults: { status: { gzipBombBytes: 256 * MiB, times: 3 } } })
    const answer = await generate(gateway, 'a bomb on status')
    expect(answer.status).toBe(200)
    const metrics = await scrape(gateway.url)
    const outcome = (o: string) =>
      metrics.value('akashgen_upstream_requests_total', { endpoint: 'status', outcome: o })
    expect(outcome('malformed')).toBe(3)
    const refusals = gateway.logs.filter((line) => line.maxBytes === MAX_UPSTREAM_JSON_BYTES)
    expect(refusals).toHaveLength(1)
  })

  it('a huge uncompressed status answer is refused the same way', async () => {
    const gateway = await harness.openGateway()
    harness.emulator.configure({ faults: { status: { hugeJsonBytes: 4 * MiB, times: 2 } } })
    expect((await generate(gateway, 'huge status')).status).toBe(200)
    const metrics = await scrape(gateway.url)
    expect(
      metrics.value('akashgen_upstream_requests_total', { endpoint: 'status', outcome: 'malformed' }),
    ).toBe(2)
  })
})

describe('one upstream download per job image', () => {
  /** A succeeded job whose image is not downloaded yet. */
  async function finishedJob(gateway: TestGateway, prompt: string) {
    const answer = await generate(gateway, prompt, true)
    expect(answer.status).toBe(200)
    return JSON.parse(answer.text).jobId as string
  }

  /**
   * A gateway with `env` and a succeeded job with a 2 MiB image not downloaded yet; from then on the emulator
   * takes `delayMs` to answer an image, and its counters start from zero.
   */
  async function jobWithSlowImage(prompt: string, delayMs: number, env: Record<string, string> = {}) {
    harness.emulator.configure({ imagePadBytes: 2 * MiB })
    const gateway = await harness.openGateway(env)
    const jobId = await finishedJob(gateway, prompt)
    harness.emulator.configure({ faults: { image: { delayMs } } })
    harness.emulator.resetCounters()
    return { gateway, jobId }
  }

  it('N callers at once: the emulator serves the image once, each caller gets the exact bytes', async () => {
    const { gateway, jobId } = await jobWithSlowImage('one image, ten callers', 200)
    const answers = await Promise.all(Array.from({ length: 10 }, () => jobImage(gateway, jobId)))
    expect(harness.emulator.counters.imageFetches).toBe(1)
    harness.emulator.configure({ faults: {} })
    const expected = await servedImage(
      harness.emulator,
      upstreamJobFor(harness.emulator, 'one image, ten callers'),
    )
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(answer.bytes.equals(expected.bytes)).toBe(true)
    }
  })

  it('an image larger than the cache is still one download for every current caller', async () => {
    const { gateway, jobId } = await jobWithSlowImage('never cached', 200, {
      AKASHGEN_IMAGE_CACHE_BYTES: '0',
    })
    const answers = await Promise.all(Array.from({ length: 6 }, () => jobImage(gateway, jobId)))
    expect(harness.emulator.counters.imageFetches).toBe(1)
    expect(new Set(answers.map((a) => `${a.status}:${a.bytes.length}`)).size).toBe(1)
    expect(answers[0]?.bytes.length).toBeGreaterThan(2 * MiB - 1024)
  })

  it('a caller hanging up does not stop the download for the others', async () => {
    const { gateway, jobId } = await jobWithSlowImage('one leaves', 300)
    const leaving = new AbortController()
    const left = jobImage(gateway, jobId, leaving.signal).catch((error: Error) => error.name)
    const staying = Array.from({ length: 3 }, () => jobImage(gateway, jobId))
    await vi.waitFor(() => expect(harness.emulator.counters.imageFetches).toBe(1))
    leaving.abort()
    expect(await left).toBe('AbortError')
    const answers = await Promise.all(staying)
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    expect(new Set(answers.map((a) => a.bytes.length)).size).toBe(1)
    expect(harness.emulator.counters.imageFetches).toBe(1)
  })

  it('AKASHGEN_MAX_IMAGE_DOWNLOADS caps downloads across jobs; the rest wait and are served', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_MAX_IMAGE_DOWNLOADS: '1' })
    const jobs = await Promise.all(['cap a', 'cap b', 'cap c'].map((prompt) => finishedJob(gateway, prompt)))
    harness.emulator.configure({ faults: { image: { delayMs: 100 } } })
    harness.emulator.resetCounters()
    const answers = await Promise.all(jobs.map((jobId) => jobImage(gateway, jobId)))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    expect(harness.emulator.counters.imageFetches).toBe(3)
    expect(harness.emulator.counters.maxImageAnswersOpen).toBe(1)
  })
})

describe('worker names a header cannot carry', () => {
  it.each([
    ['a trademark sign', 'RTX™ 4090', 'RTX%E2%84%A2 4090', 'RTX™ 4090'],
    ['an emoji', '🚀 H100', '%F0%9F%9A%80 H100', '🚀 H100'],
    ['a control character', 'A100\u0007\u001b[2J', 'A100[2J', 'A100[2J'],
  ])(
    '%s: 200 with the exact image, a percent-encoded header, the real name in the view',
    async (name, gpu, header, shown) => {
      harness.emulator.configure({ workerOverride: { gpu, name: gpu } })
      const gateway = await harness.openGateway()
      const answer = await generate(gateway, `a gpu with ${name}`)
      expect(answer.status).toBe(200)
      expect(answer.headers.get('x-worker-gpu')).toBe(header)
      const expected = await servedImage(
        harness.emulator,
        upstreamJobFor(harness.emulator, `a gpu with ${name}`),
      )
      expect(answer.bytes.equals(expected.bytes)).toBe(true)
      const jobId = answer.headers.get('x-job-id')
      const view = await (await fetch(`${gateway.url}/api/jobs/${jobId}`)).json()
      expect(view.worker).toMatchObject({ gpu: shown, name: shown })
    },
  )
})

describe('upstream strings are bounded before records, logs and callers', () => {
  it('a half-megabyte failure reason: a bounded error body and record that say it was cut', async () => {
    const chars = 500_000
    harness.emulator.configure({ failRate: 1, failureReason: 'CUDA error\u0007 ', longStringChars: chars })
    const gateway = await harness.openGateway()
    const answer = await generate(gateway, 'fails at length')
    expect(answer.status).toBe(502)
    expect(answer.bytes.length).toBeLessThan(4 * MAX_FAILURE_REASON_CHARS)
    const body = JSON.parse(answer.text)
    expect(body.code).toBe('JOB_FAILED')
    expect(body.details.reason).toHaveLength(MAX_FAILURE_REASON_CHARS)
    expect(body.details.reason.endsWith(TRUNCATION_MARKER)).toBe(true)
    expect(body.details.reason).not.toContain('\u0007')
    const record = await recordOf(gateway, answer.headers.get('x-job-id') as string)
    expect(JSON.stringify(record).length).toBeLessThan(8 * MAX_FAILURE_REASON_CHARS)
    const logged = JSON.stringify(gateway.logs).length
    expect(logged).toBeLessThan(chars)
  })

  it('megabyte worker fields are cut to their limit in the view and the record', async () => {
    harness.emulator.configure({ workerOverride: { name: 'w', city: 'c' }, longStringChars: 300_000 })
    const gateway = await harness.openGateway()
    const answer = await generate(gateway, 'long worker', true)
    expect(answer.status).toBe(200)
    expect(answer.bytes.length).toBeLessThan(4 * MAX_WORKER_FIELD_CHARS + 2000)
    const view = JSON.parse(answer.text)
    expect(view.worker.name).toHaveLength(MAX_WORKER_FIELD_CHARS)
    expect(view.worker.name.endsWith(TRUNCATION_MARKER)).toBe(true)
    const record = await recordOf(gateway, view.jobId)
    expect(JSON.stringify(record).length).toBeLessThan(20 * MAX_WORKER_FIELD_CHARS + 5000)
  })
})
