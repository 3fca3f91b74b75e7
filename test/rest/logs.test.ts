/** What the gateway logs: one line per request, job lines with the job id, no secrets, prompts only at debug. */

import { describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

/** The lines a fresh gateway at `level` wrote for one generate call carrying keys and a request id. */
async function logsOfOneCall(level: string, prompt: string): Promise<Record<string, unknown>[]> {
  const gateway = await harness.openGateway({ LOG_LEVEL: level })
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
  // The request line is written once the answer has gone out, which may be just after the caller has it.
  await expect.poll(() => gateway.logs.some((line) => line.msg === 'request')).toBe(true)
  return gateway.logs
}

describe('logs at the info level', () => {
  const infoLogs = () => logsOfOneCall('info', 'a private prompt about my cat')

  it('writes one request line with method, path, status, duration and request id', async () => {
    const lines = (await infoLogs()).filter((line) => line.msg === 'request' && line.reqId === 'req-logs-1')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      method: 'POST',
      path: '/api/generate',
      status: 200,
      ms: expect.any(Number),
    })
  })

  it('writes job lifecycle lines carrying the job id', async () => {
    const jobLines = (await infoLogs()).filter((line) => typeof line.jobId === 'string')
    expect(jobLines.map((line) => line.msg)).toEqual([
      'job accepted',
      'job submitted upstream',
      'job finished',
    ])
    expect(new Set(jobLines.map((line) => line.jobId)).size).toBe(1)
  })

  it('never writes keys or the prompt', async () => {
    const text = JSON.stringify(await infoLogs())
    expect(text).not.toContain('very-secret')
    expect(text).not.toContain('private prompt')
  })
})

describe('logs at the warn level', () => {
  it('write no request line, and a failed request still carries its request id', async () => {
    resetEmulator(harness.emulator, { failRate: 1 })
    const gateway = await harness.openGateway({ LOG_LEVEL: 'warn' })
    const failed = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-logs-warn' },
      body: JSON.stringify({ prompt: 'this one fails upstream' }),
    })
    expect(failed.status).toBe(502)
    const served = await fetch(`${gateway.url}/health`)
    expect(served.status).toBe(200)
    await expect
      .poll(() => gateway.logs.find((line) => line.msg === 'request failed'))
      .toMatchObject({ reqId: 'req-logs-warn', code: 'JOB_FAILED', level: 40 })
    expect(gateway.logs.filter((line) => line.msg === 'request')).toEqual([])
  })
})

describe('logs at the debug level', () => {
  it('include the prompt, still without keys', async () => {
    const text = JSON.stringify(await logsOfOneCall('debug', 'a debug-level prompt'))
    expect(text).toContain('a debug-level prompt')
    expect(text).not.toContain('very-secret')
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
