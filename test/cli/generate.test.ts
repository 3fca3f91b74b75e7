/** `akashgen` as a user runs it: the real program against the real gateway and emulator, on real sockets. */
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Job } from '@akashgen/contract'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { startRecordingProxy } from './recording-proxy.ts'
import { ROOT, runCli } from './run-cli.ts'

const harness = useGatewayHarness()

let folder: string
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'akashgen-cli-'))
})
afterEach(() => rm(folder, { recursive: true, force: true }))

/** The bytes the emulator served for `prompt`: what the written image must equal. */
const upstreamBytes = async (prompt: string) =>
  (await servedImage(harness.emulator, upstreamJobFor(harness.emulator, prompt))).bytes

describe('akashgen "<prompt>"', () => {
  it('with -o writes exactly the image the upstream made, and names the file on stderr', async () => {
    const gateway = await harness.openGateway()
    const prompt = `a lake at dawn ${randomUUID()}`
    const run = runCli([prompt, '-o', 'lake.webp', '--url', gateway.url], { cwd: folder })

    expect((await run.exited).code).toBe(0)
    const written = await readFile(join(folder, 'lake.webp'))
    expect(written.equals(await upstreamBytes(prompt))).toBe(true)
    expect(run.stderr()).toMatch(/wrote lake\.webp \(/)
    expect(run.stdout().byteLength).toBe(0)
  })

  it('with -o - writes the image bytes to stdout and nothing else', async () => {
    const gateway = await harness.openGateway()
    const prompt = `a lake on stdout ${randomUUID()}`
    const run = runCli([prompt, '-o', '-', '--url', gateway.url], { cwd: folder })

    expect((await run.exited).code).toBe(0)
    expect(run.stdout().equals(await upstreamBytes(prompt))).toBe(true)
    expect(await readdir(folder)).toEqual([])
  })

  it('without -o picks a new file named after the prompt, the job and the image type', async () => {
    const gateway = await harness.openGateway()
    const prompt = 'A Lake at Dawn!'
    const run = runCli([prompt, '--url', gateway.url], { cwd: folder })

    expect((await run.exited).code).toBe(0)
    const [, jobId = ''] = run.stderr().match(/job ([0-9a-f-]{36})/) ?? []
    const files = await readdir(folder)
    expect(files).toEqual([`a-lake-at-dawn-${jobId.slice(0, 6)}.webp`])
    expect(run.stderr()).toContain(`wrote ${files[0]}`)
    const written = await readFile(join(folder, files[0] as string))
    expect(written.equals(await upstreamBytes(prompt))).toBe(true)
  })

  it('with --json prints the finished Job view on stdout, and writes the image given by -o', async () => {
    const gateway = await harness.openGateway()
    const prompt = `a lake as json ${randomUUID()}`
    const run = runCli([prompt, '--json', '-o', 'lake.webp', '--url', gateway.url], { cwd: folder })

    expect((await run.exited).code).toBe(0)
    const job = Job.parse(JSON.parse(run.stdout().toString('utf8')))
    expect(job.status).toBe('succeeded')
    expect(job.worker?.gpu).toBeTruthy()
    const answer = await fetch(`${gateway.url}/api/jobs/${job.jobId}`)
    expect(Job.parse(await answer.json())).toEqual(job)
    expect((await readFile(join(folder, 'lake.webp'))).equals(await upstreamBytes(prompt))).toBe(true)
  })

  it('with --gpu asks the upstream for exactly those GPUs, best first', async () => {
    const gateway = await harness.openGateway()
    const prompt = `a lake on chosen GPUs ${randomUUID()}`
    const run = runCli([prompt, '--gpu', 'A100, rtx4090', '--json', '--url', gateway.url], { cwd: folder })

    expect((await run.exited).code).toBe(0)
    const job = Job.parse(JSON.parse(run.stdout().toString('utf8')))
    expect(job.worker?.gpu).toBe('A100')
    expect(upstreamJobFor(harness.emulator, prompt).preferredGpu).toEqual(['A100', 'RTX4090'])
  })

  it('off a terminal, prints one plain progress line per event on stderr', async () => {
    const gateway = await harness.openGateway()
    const run = runCli([`plain lines ${randomUUID()}`, '-o', '-', '--url', gateway.url], { cwd: folder })

    expect((await run.exited).code).toBe(0)
    const lines = run.stderr().trimEnd().split('\n')
    expect(run.stderr()).not.toContain('\r')
    expect(run.stderr()).not.toContain('\x1b[')
    expect(lines[0]).toMatch(/^akashgen: job [0-9a-f-]{36}$/)
    expect(lines.some((line) => /^akashgen: queued · place \d+ in line · \d+\.\ds$/.test(line))).toBe(true)
    expect(lines.some((line) => /^akashgen: running · \S+ in \S+/.test(line))).toBe(true)
    expect(lines.at(-2)).toMatch(/^akashgen: succeeded · /)
  })

  it('sends AKASHGEN_API_KEY as a bearer token on every call, to the gateway in AKASHGEN_URL', async () => {
    const gateway = await harness.openGateway()
    const proxy = await startRecordingProxy(gateway.url)
    try {
      const run = runCli([`a keyed lake ${randomUUID()}`, '-o', 'lake.webp'], {
        cwd: folder,
        env: { AKASHGEN_URL: proxy.url, AKASHGEN_API_KEY: 'k-123' },
      })
      expect((await run.exited).code).toBe(0)
      const paths = proxy.requests.map((r) => r.path)
      expect(paths.some((path) => path.startsWith('/trpc/generate'))).toBe(true)
      expect(paths.some((path) => path.startsWith('/trpc/jobEvents'))).toBe(true)
      expect(paths.some((path) => /^\/api\/jobs\/[^/]+\/image$/.test(path))).toBe(true)
      expect(proxy.requests.map((r) => r.authorization)).toEqual(paths.map(() => 'Bearer k-123'))
    } finally {
      await proxy.close()
    }
  })
})

describe('akashgen --help and --version', () => {
  it('run through the linked bin, node_modules/.bin/akashgen, and exit 0', async () => {
    const help = runCli(['--help'], { command: join(ROOT, 'node_modules/.bin/akashgen') })
    expect((await help.exited).code).toBe(0)
    expect(help.stdout().toString()).toMatch(/^Usage: akashgen "<prompt>"/)
    expect(help.stdout().toString()).toContain('--api-key')

    const version = runCli(['--version'])
    expect((await version.exited).code).toBe(0)
    const { version: expected } = JSON.parse(await readFile(join(ROOT, 'client/package.json'), 'utf8'))
    expect(version.stdout().toString()).toBe(`akashgen ${expected}\n`)
  })
})
