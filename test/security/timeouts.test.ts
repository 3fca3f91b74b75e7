// Headers and bodies must arrive within AKASHGEN_REQUEST_TIMEOUT_MS; long answers are not cut; keys come first.
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { closedByServer, sendRaw } from '../support/raw-http.ts'

const harness = useGatewayHarness()

const KEY = 'timeout-key-0123456789abcdef'
const NO_BODY =
  'POST /trpc/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n'

describe('request timeouts', () => {
  it('answers 408 and closes a request whose announced body never comes', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_REQUEST_TIMEOUT_MS: '300' })
    const outcome = await sendRaw(gateway.url, NO_BODY)
    await closedByServer(outcome.socket)
    // Node answers 408 when it can; either way the socket is gone.
    if (outcome.status !== undefined) expect(outcome.status).toBe(408)
    expect(outcome.socket.destroyed).toBe(true)
  })

  it('closes a connection that never sends its headers', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_REQUEST_TIMEOUT_MS: '300' })
    const outcome = await sendRaw(gateway.url, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    await closedByServer(outcome.socket)
    expect(outcome.socket.destroyed).toBe(true)
  })

  it('does not cut a sync POST /api/generate that waits longer than the request timeout', async () => {
    resetEmulator(harness.emulator, { runMs: 1200 })
    const gateway = await harness.openGateway({ AKASHGEN_REQUEST_TIMEOUT_MS: '200' })
    const response = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a slow lighthouse' }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^image\//)
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0)
  })

  it('with keys, refuses a keyless /trpc or /api POST with 401 before its body arrives', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_API_KEYS: KEY })
    for (const head of [NO_BODY, NO_BODY.replace('/trpc/generate', '/api/generate')]) {
      const outcome = await sendRaw(gateway.url, head)
      outcome.socket.destroy()
      expect(outcome.status).toBe(401)
    }
  })
})

describe('AKASHGEN_MAX_CONNECTIONS', () => {
  it('closes connections beyond the cap as they come, and serves the ones within it', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_MAX_CONNECTIONS: '2' })
    const health = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
    const held = [await sendRaw(gateway.url, health), await sendRaw(gateway.url, health)]
    expect(held.map((outcome) => outcome.status)).toEqual([200, 200])
    const { port } = new URL(gateway.url)
    const third = connect(Number(port), '127.0.0.1', () => third.write(health))
    let answered = false
    third.on('data', () => {
      answered = true
    })
    await closedByServer(third)
    expect(answered).toBe(false)
    for (const outcome of held) outcome.socket.destroy()
    await Promise.all(held.map((outcome) => closedByServer(outcome.socket)))
    // Node counts the server's side: wait until it has seen the two go.
    await expect.poll(async () => (await sendRaw(gateway.url, health)).status).toBe(200)
  })
})
