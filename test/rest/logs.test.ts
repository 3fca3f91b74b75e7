/** What the gateway logs: one line per request, job lines with the job id, no secrets, prompts only at debug. */

import type { Emulator } from '@akashgen/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestEmulator } from '../support/emulator.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'

let emulator: Emulator
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())

async function generateWith(gateway: TestGateway, prompt: string): Promise<Response> {
  const response = await fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-very-secret',
      'x-api-key': 'also-very-secret',
      'x-request-id': 'req-logs-1',
    },
    body: JSON.stringify({ prompt }),
  })
  await response.arrayBuffer()
  return response
}

describe('logs at the info level', () => {
  let gateway: TestGateway
  beforeAll(async () => {
    gateway = await startGateway({ AKASHGEN_UPSTREAM_URL: emulator.url, LOG_LEVEL: 'info' })
    await generateWith(gateway, 'a private prompt about my cat')
  })
  afterAll(() => gateway.close())

  it('writes one request line with method, path, status, duration and request id', () => {
    const lines = gateway.logs.filter((line) => line.msg === 'request' && line.reqId === 'req-logs-1')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      method: 'POST',
      path: '/api/generate',
      status: 200,
      ms: expect.any(Number),
    })
  })

  it('writes job lifecycle lines carrying the job id', () => {
    const jobLines = gateway.logs.filter((line) => typeof line.jobId === 'string')
    expect(jobLines.map((line) => line.msg)).toEqual([
      'job accepted',
      'job submitted upstream',
      'job finished',
    ])
    expect(new Set(jobLines.map((line) => line.jobId)).size).toBe(1)
  })

  it('never writes keys or the prompt', () => {
    const text = JSON.stringify(gateway.logs)
    expect(text).not.toContain('very-secret')
    expect(text).not.toContain('private prompt')
  })
})

describe('logs at the debug level', () => {
  it('include the prompt, still without keys', async () => {
    const gateway = await startGateway({ AKASHGEN_UPSTREAM_URL: emulator.url, LOG_LEVEL: 'debug' })
    try {
      await generateWith(gateway, 'a debug-level prompt')
      const text = JSON.stringify(gateway.logs)
      expect(text).toContain('a debug-level prompt')
      expect(text).not.toContain('very-secret')
    } finally {
      await gateway.close()
    }
  })
})

describe('the logger itself', () => {
  it('redacts authorization and x-api-key wherever a headers object is logged', async () => {
    const { Writable } = await import('node:stream')
    const { createLogger } = await import('../../server/logger.ts')
    let written = ''
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written += chunk
        done()
      },
    })
    const logger = createLogger('info', sink)
    logger.info({ req: { headers: { authorization: 'Bearer k1', 'x-api-key': 'k2', accept: '*/*' } } }, 'a')
    logger.info({ upstream: { headers: { authorization: 'Bearer k3' } } }, 'b')
    logger.info({ headers: { 'x-api-key': 'k4' } }, 'c')
    expect(written).not.toMatch(/k1|k2|k3|k4/)
    expect(written.match(/\[redacted\]/g)).toHaveLength(4)
    expect(written).toContain('*/*')
  })
})
