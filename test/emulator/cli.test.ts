// The emulator's command line: flag parsing, the printed URL, bad flags and a clean stop on SIGTERM.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseCli } from '../../emulator/cli/args.ts'

/** The installed command, which runs the built program: what `npx akashgen-emulator` starts. */
const BIN = fileURLToPath(new URL('../../emulator/bin/akashgen-emulator.mjs', import.meta.url))

function runCli(args: string[]) {
  return spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
}

describe('parseCli', () => {
  it('gives demo-paced defaults', () => {
    expect(parseCli([], {})).toEqual({
      kind: 'start',
      options: {
        port: 6572,
        host: '127.0.0.1',
        queueMs: 1000,
        runMs: [3000, 6000],
        workers: 4,
        era: 2,
        resultShape: 'api-image-path',
        failRate: 0,
        imageFormat: 'webp',
        imageSize: 1024,
      },
    })
  })

  it('reads flags, and EMULATOR_* variables when a flag is absent', () => {
    const request = parseCli(['--run-ms', '50', '--era', '1', '--result-shape', 'next-image'], {
      EMULATOR_PORT: '7000',
      EMULATOR_RUN_MS: '10-20',
    })
    expect(request).toMatchObject({
      kind: 'start',
      options: { port: 7000, runMs: 50, era: 1, resultShape: 'next-image' },
    })
    expect(parseCli(['--help'], {})).toEqual({ kind: 'help' })
  })

  it('reads the fidelity knobs only when given', () => {
    const request = parseCli(
      ['--elapsed-time', 'growing', '--qualities', '75, 90', '--unknown-sampler', 'fail-job'],
      { EMULATOR_FINISHED_TTL_MS: '500' },
    )
    expect(request).toMatchObject({
      kind: 'start',
      options: {
        elapsedTime: 'growing',
        qualities: [75, 90],
        unknownSampler: 'fail-job',
        finishedTtlMs: 500,
      },
    })
    const plain = parseCli([], {})
    expect(plain.kind === 'start' && Object.keys(plain.options)).not.toContain('qualities')
  })

  it.each([
    [['--port', 'x'], /--port/],
    [['--run-ms', '9-3'], /--run-ms/],
    [['--fail-rate', '2'], /--fail-rate/],
    [['--image-format', 'gif'], /--image-format/],
    [['--elapsed-time', 'late'], /--elapsed-time/],
    [['--finished-ttl-ms', '-1'], /--finished-ttl-ms/],
    [['--qualities', '75,101'], /--qualities/],
    [['--unknown-sampler', 'maybe'], /--unknown-sampler/],
    [['--nope'], /--nope/],
  ])('names the flag in its error for %j', (args, pattern) => {
    const request = parseCli(args, {})
    expect(request.kind).toBe('error')
    expect(request.kind === 'error' && request.message).toMatch(pattern)
  })
})

describe('akashgen-emulator process', () => {
  it('prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const child = runCli(['--port', '0', '--queue-ms', '10', '--run-ms', '10', '--image-size', '64'])
    const [line] = (await once(child.stdout, 'data')) as [Buffer]
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line.toString())?.[0]
    expect(url).toBeDefined()
    expect(line.toString()).toContain('curl')
    const res = await fetch(`${url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'cli' }),
    })
    expect(res.status).toBe(200)
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  })

  it('exits 2 with a one-line error for a bad flag value', async () => {
    const child = runCli(['--workers', '0'])
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/--workers/)
  })
})
