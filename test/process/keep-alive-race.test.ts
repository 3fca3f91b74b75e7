// An upstream closes a resting keep-alive connection after its own timeout; a submit must not be written onto it.
import { GenerateInput } from '@akashgen/contract'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createUpstreamClient } from '../../server/upstream/client.ts'
import { type RunningProcess, runNode, stopAll } from '../support/process.ts'

const processes: RunningProcess[] = []
afterEach(() => stopAll(processes))

/** Node's own keep-alive timeout, which the emulator (a node:http server) keeps and announces. */
const SERVER_KEEP_ALIVE_MS = 5000

/** Blocks this process's event loop: whatever the network says meanwhile waits until it ends. */
function busyFor(ms: number): void {
  const until = Date.now() + ms
  while (Date.now() < until) {}
}

describe('upstream keep-alive connections', () => {
  it('a submit after the upstream closed a resting connection goes out on a new one', async () => {
    // Its own process, so that the emulator closes the connection while this one's event loop is busy.
    const emulator = runNode(['--import', 'tsx', 'emulator/main.ts', '--port', '0', '--run-ms', '50'], {})
    processes.push(emulator)
    const [, url] = await emulator.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
    const upstream = createUpstreamClient({
      baseUrl: url as string,
      submitTimeoutMs: 5000,
      statusTimeoutMs: 5000,
      imageTimeoutMs: 5000,
      maxImageBytes: 1_000_000,
      logger: pino({ level: 'silent' }),
    })
    const request = GenerateInput.parse({ prompt: 'a resting connection' })
    expect((await upstream.submit(request)).upstreamJobId).toBeTruthy()
    await new Promise((resolve) => setTimeout(resolve, SERVER_KEEP_ALIVE_MS + 500))
    // The emulator's close arrives while this loop is busy, so it is still unread when the next submit is
    // written: on the old connection that submit failed with ECONNRESET (a 502 a caller could not retry).
    busyFor(1500)
    expect((await upstream.submit(request)).upstreamJobId).toBeTruthy()
  }, 20_000)
})
