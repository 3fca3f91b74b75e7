/** The gateway as a real process: start-up checks, and graceful shutdown on SIGTERM and SIGINT. */

import type { Emulator } from '@akashgen/emulator'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { resetEmulator, startTestEmulator } from '../support/emulator.ts'
import { type RunningProcess, runGateway, runScript } from '../support/process.ts'

let emulator: Emulator
const processes: RunningProcess[] = []

beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())
beforeEach(() => resetEmulator(emulator))
afterEach(() => {
  for (const running of processes.splice(0)) running.kill()
})

const generate = (url: string, prompt: string) =>
  fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  })

describe('start-up', () => {
  it.each([
    ['PORT', 'http', 'an integer port'],
    ['AKASHGEN_UPSTREAM_URL', 'ftp://example.com', 'http(s) URL'],
    ['AKASHGEN_MAX_CONCURRENT', '0', 'an integer 1-10000'],
    ['LOG_LEVEL', 'chatty', 'one of fatal'],
  ])('a bad %s stops it with exit 1 and one line naming the variable', async (name, value, must) => {
    const running = runScript('server/server.ts', { [name]: value })
    processes.push(running)
    const { code } = await running.exited
    expect(code).toBe(1)
    const lines = running.stderr().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(name)
    expect(lines[0]).toContain(must)
    expect(running.stdout()).toBe('')
  })
})

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s lets an in-flight request finish, then exits 0',
    async (signal) => {
      resetEmulator(emulator, { runMs: 600 })
      const gateway = await runGateway({
        AKASHGEN_UPSTREAM_URL: emulator.url,
        AKASHGEN_POLL_INTERVAL_MS: '50',
      })
      processes.push(gateway)
      const pending = generate(gateway.url, `finish me before ${signal}`)
      // The job is upstream, so the signal comes while the request is in flight.
      await vi.waitFor(() => expect(emulator.counters.submissions).toBe(1))
      gateway.child.kill(signal)
      const response = await pending
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('image/webp')
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0)
      expect(await gateway.exited).toEqual({ code: 0, signal: null })
      await expect(fetch(`${gateway.url}/health`)).rejects.toThrow()
    },
  )

  it('cancels a job that outlives the grace period, answers its caller 503 SHUTTING_DOWN, and still exits 0', async () => {
    resetEmulator(emulator, { stuckWaiting: true })
    const gateway = await runGateway({
      AKASHGEN_UPSTREAM_URL: emulator.url,
      AKASHGEN_POLL_INTERVAL_MS: '50',
      SHUTDOWN_GRACE_MS: '300',
    })
    processes.push(gateway)
    const pending = generate(gateway.url, 'never done')
    await vi.waitFor(() => expect(emulator.counters.submissions).toBe(1))
    gateway.child.kill('SIGTERM')
    const response = await pending
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(await response.json()).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true })
    expect(await gateway.exited).toEqual({ code: 0, signal: null })
  })

  it('exits at once when idle, even with a keep-alive connection open', async () => {
    const gateway = await runGateway({ AKASHGEN_UPSTREAM_URL: emulator.url })
    processes.push(gateway)
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200)
    gateway.child.kill('SIGTERM')
    expect(await gateway.exited).toEqual({ code: 0, signal: null })
    expect(gateway.stdout()).toContain('"msg":"stopped"')
  })
})
