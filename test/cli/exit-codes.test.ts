/** How `akashgen` ends when things go wrong: each exit code, the line that explains it, and the job left behind. */
import { randomUUID } from 'node:crypto'
import { Job } from '@akashgen/contract'
import { describe, expect, it } from 'vitest'
import { EXIT, exitCodeFor } from '../../client/cli/exit-codes.ts'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { runCli } from './run-cli.ts'

const harness = useGatewayHarness()

/** The gateway's view of a job. */
async function gatewayJob(url: string, jobId: string): Promise<Job> {
  return Job.parse(await (await fetch(`${url}/api/jobs/${jobId}`)).json())
}

describe('exit 2: bad input, refused before anything is sent', () => {
  it('an empty prompt, with the message the gateway would give', async () => {
    const gateway = await harness.openGateway()
    const run = runCli(['  ', '--url', gateway.url])

    expect((await run.exited).code).toBe(2)
    expect(run.stderr()).toContain('akashgen: invalid request: prompt must not be empty')
    expect(harness.emulator.jobs()).toEqual([])
  })

  it('an unknown sampler, naming it and the allowed ones', async () => {
    const run = runCli(['a lake', '--sampler', 'warp'])

    expect((await run.exited).code).toBe(2)
    expect(run.stderr()).toMatch(
      /invalid request: unknown sampler "warp": must be one of euler, .*DPM\+\+ 2M Karras/,
    )
  })

  it('an unknown GPU in --gpu, naming the flag and the known GPUs', async () => {
    const gateway = await harness.openGateway()
    const run = runCli(['a lake', '--gpu', 'A100,TPU', '--url', gateway.url])

    expect((await run.exited).code).toBe(2)
    expect(run.stderr()).toContain(
      'akashgen: invalid request: --gpu has an unknown GPU "TPU": each must be one of RTX4090, A10, A100, V100-32Gi, H100',
    )
    expect(harness.emulator.jobs()).toEqual([])
  })

  it.each([
    [['a lake', '--bogus'], "Unknown option '--bogus'"],
    [['a', 'lake'], 'give the prompt as one argument, in quotes'],
    [['a lake', '--timeout', 'soon'], '--timeout must be a number of seconds'],
    [['a lake', '--url', 'localhost:6571'], '--url must be an http(s) URL'],
    [['a lake', '--json', '-o', '-'], '--json and -o - both write to stdout'],
  ])('%j', async (args, message) => {
    const run = runCli(args)
    expect((await run.exited).code).toBe(2)
    expect(run.stderr()).toContain(message)
  })

  it("the gateway's INVALID_REQUEST maps to 2 as well", () => {
    expect(exitCodeFor('INVALID_REQUEST')).toBe(EXIT.badInput)
  })
})

describe('exit 3: the job or the gateway failed', () => {
  it('a job the upstream failed, with its code on stderr', async () => {
    resetEmulator(harness.emulator, { failRate: 1 })
    const gateway = await harness.openGateway()
    const run = runCli([`doomed ${randomUUID()}`, '--url', gateway.url])

    expect((await run.exited).code).toBe(3)
    expect(run.stderr()).toMatch(/akashgen: JOB_FAILED: /)
    expect(run.stdout().byteLength).toBe(0)
  })

  it('with --json, prints the failed job view with its error on stdout', async () => {
    resetEmulator(harness.emulator, { failRate: 1 })
    const gateway = await harness.openGateway()
    const run = runCli([`doomed json ${randomUUID()}`, '--json', '--url', gateway.url])

    expect((await run.exited).code).toBe(3)
    const job = Job.parse(JSON.parse(run.stdout().toString('utf8')))
    expect(job).toMatchObject({ status: 'failed', error: { code: 'JOB_FAILED' } })
  })

  it('a gateway nobody listens on, naming its URL', async () => {
    const gateway = await harness.openGateway()
    const url = gateway.url
    await gateway.close()
    const run = runCli(['a lake', '--url', url])

    expect((await run.exited).code).toBe(3)
    expect(run.stderr()).toContain(`cannot reach the gateway at ${url}: connect ECONNREFUSED`)
  })
})

describe('exit 4: timed out', () => {
  it("the gateway's own deadline (JOB_TIMEOUT)", async () => {
    resetEmulator(harness.emulator, { stuckWaiting: true })
    const gateway = await harness.openGateway({ AKASHGEN_JOB_TIMEOUT_MS: '1000' })
    const run = runCli([`stuck ${randomUUID()}`, '--url', gateway.url])

    expect((await run.exited).code).toBe(4)
    expect(run.stderr()).toMatch(/akashgen: JOB_TIMEOUT: /)
  })

  it('--timeout, which also cancels the job on the gateway', async () => {
    resetEmulator(harness.emulator, { stuckWaiting: true })
    const gateway = await harness.openGateway()
    const run = runCli([`stuck ${randomUUID()}`, '--timeout', '0.5', '--url', gateway.url])

    expect((await run.exited).code).toBe(4)
    const [, jobId = ''] = run.stderr().match(/akashgen: job (\S+)/) ?? []
    expect(run.stderr()).toContain(`gave up after 0.5 s (--timeout): cancelled job ${jobId}`)
    expect(await gatewayJob(gateway.url, jobId)).toMatchObject({ status: 'cancelled' })
  })
})

describe('exit 130: Ctrl-C', () => {
  it('SIGINT mid-job cancels the job on the gateway and exits 130', async () => {
    resetEmulator(harness.emulator, { stuckWaiting: true })
    const gateway = await harness.openGateway()
    const run = runCli([`interrupted ${randomUUID()}`, '--url', gateway.url])
    const [, jobId = ''] = await run.waitForStderr(/akashgen: job (\S+)\n/)
    await run.waitForStderr(/akashgen: queued/)

    run.child.kill('SIGINT')

    expect(await run.exited).toEqual({ code: 130, signal: null })
    expect(run.stderr()).toContain(`interrupted: cancelled job ${jobId}`)
    const job = await gatewayJob(gateway.url, jobId)
    expect(job).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } })
  })
})
