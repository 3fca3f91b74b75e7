/** SIGTERM under load, against a real gateway process: no new work, in-flight callers answered, exit 0 in time. */

import type { Emulator } from '@akashgen/emulator'
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest'
import { startTestEmulator } from '../support/emulator.ts'
import { type RunningProcess, runGateway } from '../support/process.ts'

const GRACE_MS = 2000

let emulator: Emulator
const processes: RunningProcess[] = []

beforeAll(async () => {
  // Runs spread so that, signalled once all are upstream, some finish within the grace and some cannot.
  emulator = await startTestEmulator({ queueMs: 50, runMs: [600, 4000], workers: 64 })
})
afterAll(() => emulator.close())
afterEach(() => {
  for (const running of processes.splice(0)) running.kill()
})

/** A request's outcome: its status and code, or that the connection was refused or broke. */
async function outcome(call: Promise<Response>): Promise<{ status: number; code?: string; ms: number }> {
  const started = Date.now()
  try {
    const response = await call
    const type = response.headers.get('content-type') ?? ''
    const body = type.includes('json') ? ((await response.json()) as { code?: string }) : undefined
    if (!body) await response.arrayBuffer()
    return { status: response.status, code: body?.code, ms: Date.now() - started }
  } catch {
    return { status: 0, code: 'CONNECTION_FAILED', ms: Date.now() - started }
  }
}

const generate = (url: string, prompt: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ prompt }),
  })

it('stops taking work at once, answers every in-flight caller within the grace, ends streams, exits 0', async () => {
  const gateway = await runGateway({
    AKASHGEN_UPSTREAM_URL: emulator.url,
    AKASHGEN_POLL_INTERVAL_MS: '50',
    AKASHGEN_MAX_CONCURRENT: '40',
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
  })
  processes.push(gateway)
  const inFlight = Array.from({ length: 20 }, (_, i) => outcome(generate(gateway.url, `load ${i}`)))
  // One job followed by an event stream: the stream must end by itself on shutdown.
  const accepted = await fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'respond-async' },
    body: JSON.stringify({ prompt: 'followed' }),
  })
  const { jobId } = (await accepted.json()) as { jobId: string }
  const stream = await fetch(`${gateway.url}/api/jobs/${jobId}/events`)
  const streamEnded = stream.text().then(() => Date.now())
  // Every job is upstream (the 20 callers' and the followed one) before the signal.
  await vi.waitFor(() => expect(emulator.counters.submissions).toBe(21), { timeout: 10_000 })

  const signalledAt = Date.now()
  gateway.child.kill('SIGTERM')
  await gateway.waitFor(/"msg":"shutting down"/)
  const [refused, refusedTrpc, ready, health] = await Promise.all([
    outcome(generate(gateway.url, 'too late')),
    fetch(`${gateway.url}/trpc/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { prompt: 'too late' } }),
    }).then(async (r) => ({ status: r.status, body: await r.text() })),
    fetch(`${gateway.url}/ready`).then((r) => r.status),
    fetch(`${gateway.url}/health`).then((r) => r.status),
  ])
  expect(refused.status === 0 || refused.code === 'SHUTTING_DOWN').toBe(true)
  expect(refused.ms).toBeLessThan(1000)
  expect(refusedTrpc.status).toBe(503)
  expect(refusedTrpc.body).toContain('"errorCode":"SHUTTING_DOWN"')
  expect(ready).toBe(503)
  expect(health).toBe(200)

  const answers = await Promise.all(inFlight)
  const answeredBy = Date.now() - signalledAt
  const kinds = answers.map((a) => (a.status === 200 ? 'image' : `${a.status} ${a.code}`))
  // Jobs that finished within the grace delivered their image; the others were cancelled by the shutdown.
  expect(new Set(kinds)).toEqual(new Set(['image', '503 SHUTTING_DOWN']))
  expect(answeredBy).toBeLessThan(GRACE_MS + 1000)

  expect(await gateway.exited).toEqual({ code: 0, signal: null })
  const exitedAfter = Date.now() - signalledAt
  expect(exitedAfter).toBeLessThan(GRACE_MS + 3000)
  expect((await streamEnded) - signalledAt).toBeLessThan(GRACE_MS + 3000)

  // Nothing of the gateway's polls the upstream any more.
  const polled = emulator.counters.statusRequests
  // A quiet window, not an ordering: "polls no more" can only be seen as nothing more arriving.
  await new Promise((resolve) => setTimeout(resolve, 500))
  expect(emulator.counters.statusRequests).toBe(polled)
}, 30_000)
