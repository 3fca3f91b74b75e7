/** The gateway as a real process whose stdout reader went away (`| head -1`, a log shipper that died). */

import type { Emulator } from '@akashgen/emulator'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startTestEmulator } from '../support/emulator.ts'
import { type RunningProcess, runGateway, stopAll } from '../support/process.ts'

/** An idle gateway exits in tens of milliseconds; the hard stop is 15 s away (the default 10 s grace + 5 s). */
const PROMPT_EXIT_MS = 3000

let emulator: Emulator
const processes: RunningProcess[] = []

beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())
afterEach(() => stopAll(processes))

/** Starts the gateway, reads its first line (it listens), then closes the reading end of its stdout. */
async function gatewayWithClosedStdout(): Promise<RunningProcess & { url: string }> {
  const gateway = await runGateway({ AKASHGEN_UPSTREAM_URL: emulator.url })
  processes.push(gateway)
  gateway.child.stdout?.destroy()
  return gateway
}

/** The process's exit, or 'still running' after `ms`. */
const exitWithin = (gateway: RunningProcess, ms: number) =>
  Promise.race([gateway.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), ms))])

describe('a stdout whose reader went away', () => {
  it('does not stop SIGTERM: the gateway exits 0 at once', async () => {
    const gateway = await gatewayWithClosedStdout()
    // The shutdown's own log lines are the first to meet the closed pipe.
    gateway.child.kill('SIGTERM')
    expect(await exitWithin(gateway, PROMPT_EXIT_MS)).toEqual({ code: 0, signal: null })
  })

  it('drops log lines, says so once on stderr, and keeps serving', async () => {
    const gateway = await gatewayWithClosedStdout()
    for (let i = 0; i < 5; i++) {
      // Each request writes a log line to the closed pipe.
      const response = await fetch(`${gateway.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: `served ${i}` }),
      })
      expect(response.status).toBe(200)
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0)
    }
    await vi.waitFor(() => expect(gateway.stderr()).toContain('stdout failed (EPIPE)'))
    expect(gateway.stderr().trim().split('\n')).toEqual([
      'akashgen: stdout failed (EPIPE): log lines are dropped from now on',
    ])
    gateway.child.kill('SIGTERM')
    expect(await exitWithin(gateway, PROMPT_EXIT_MS)).toEqual({ code: 0, signal: null })
  })
})
