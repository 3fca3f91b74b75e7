// Hostile answers the emulator plays for the gateway's tests: gzip bombs, huge JSON, long and odd strings.
import { request } from 'node:http'
import { createGunzip } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../emulator/index.ts'
import { askStatus, FAST, postGenerate, submitJob, waitForStatus } from './harness.ts'

let emulator: Emulator
afterEach(() => emulator?.close())

/** GETs a path with node:http (no automatic decompression): headers, and the bytes as sent on the wire. */
function rawGet(path: string) {
  return new Promise<{ encoding: string | undefined; wire: Buffer }>((resolve, reject) => {
    request(new URL(path, emulator.url), (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], wire: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

/** Inflates gzip bytes as a stream, keeping only the count and the first and last byte. */
async function inflate(wire: Buffer): Promise<{ bytes: number; first: string; last: string }> {
  const gunzip = createGunzip()
  gunzip.end(wire)
  let bytes = 0
  let first = ''
  let last = ''
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    if (bytes === 0) first = String.fromCharCode(chunk[0] as number)
    last = String.fromCharCode(chunk[chunk.length - 1] as number)
    bytes += chunk.length
  }
  return { bytes, first, last }
}

describe('a gzip bomb', () => {
  it('on status: a small gzip body that inflates to the asked size of valid JSON', async () => {
    const inflated = 32 * 1024 * 1024
    emulator = await startEmulator({ ...FAST, faults: { status: { gzipBombBytes: inflated } } })
    const { encoding, wire } = await rawGet('/api/status?ids=x')
    expect(encoding).toBe('gzip')
    expect(wire.length).toBeLessThan(inflated / 500)
    const body = await inflate(wire)
    expect(body.bytes).toBeGreaterThanOrEqual(inflated)
    expect(body.first + body.last).toBe('[]')
  })

  it('on submit, limited by times like every fault', async () => {
    emulator = await startEmulator({ ...FAST, faults: { submit: { gzipBombBytes: 1024 * 1024, times: 1 } } })
    const bomb = await postGenerate(emulator, { prompt: 'x' })
    expect(bomb.headers.get('content-encoding')).toBe('gzip')
    expect(await bomb.json()).toEqual([])
    expect((await postGenerate(emulator, { prompt: 'x' })).status).toBe(200)
  })

  it('close() ends a bomb mid-way: the caller sees the answer cut, not a hang', async () => {
    emulator = await startEmulator({ ...FAST, faults: { status: { gzipBombBytes: 2 ** 40 } } })
    const ended = new Promise<boolean>((resolve, reject) => {
      request(new URL('/api/status?ids=x', emulator.url), (res) => {
        res.once('data', () => void emulator.close())
        res.on('data', () => {})
        res.on('close', () => resolve(res.complete))
      })
        .on('error', reject)
        .end()
    })
    expect(await ended).toBe(false)
  })
})

describe('huge JSON', () => {
  it('streams a JSON answer of the asked size on status', async () => {
    const size = 5 * 1024 * 1024
    emulator = await startEmulator({ ...FAST, faults: { status: { hugeJsonBytes: size } } })
    const response = await fetch(`${emulator.url}/api/status?ids=x`)
    expect(response.headers.get('content-length')).toBeNull()
    const text = await response.text()
    expect(text.length).toBeGreaterThanOrEqual(size)
    expect(JSON.parse(text)).toEqual([])
  })

  it('refuses a size that is not a positive integer, naming it', async () => {
    emulator = await startEmulator(FAST)
    expect(() => emulator.configure({ faults: { status: { hugeJsonBytes: -1 } } })).toThrow(
      'faults.status.hugeJsonBytes',
    )
  })
})

describe('long and odd strings', () => {
  it('reports the overridden worker fields, odd characters and all', async () => {
    const gpu = 'RTX™ 4090 🚀\u0007'
    emulator = await startEmulator({ ...FAST, workerOverride: { gpu, city: 'Zürich' } })
    const done = await waitForStatus(emulator, await submitJob(emulator), ['succeeded'])
    expect(done.worker_gpu).toBe(gpu)
    expect(done.worker_city).toBe('Zürich')
    expect(done.worker_name).toMatch(/^akash-worker-\d+$/)
  })

  it('lengthens the overridden strings and the failure reason to longStringChars', async () => {
    const chars = 2 * 1024 * 1024
    emulator = await startEmulator({
      ...FAST,
      failRate: 1,
      failureReason: 'CUDA error ',
      workerOverride: { name: 'w' },
      longStringChars: chars,
    })
    const failed = await waitForStatus(emulator, await submitJob(emulator), ['failed'])
    expect(failed.result).toHaveLength(chars)
    expect(failed.result.startsWith('CUDA error CUDA error')).toBe(true)
    expect(failed.worker_name).toBe('w'.repeat(chars))
    expect((await askStatus(emulator, [failed.job_id])).code).toBe(200)
  })

  it('refuses a worker override that is not strings, naming the field', async () => {
    emulator = await startEmulator(FAST)
    expect(() => emulator.configure({ workerOverride: { gpu: 7 as unknown as string } })).toThrow(
      'workerOverride.gpu',
    )
  })
})
