// The benchmark's CI smoke: `bench/run.ts --smoke` runs end to end and delivers images in every row; no timings.
import { describe, expect, it } from 'vitest'
import { runNode } from '../support/process.ts'

// (a) and (b) with the emulator's default elapsed_time (frozen), again with it growing and absent, and (b)
// after a longer warm-up.
const SCENARIOS = ['a', 'b', 'a-growing', 'a-absent', 'b-growing', 'b-absent', 'b-steady']
const SERVERS = ['akashgen', 'baseline']

describe('npm run bench -- --smoke', () => {
  it('prints the table with a row per scenario and server, each with images delivered', async () => {
    const bench = runNode(
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--only', [...SCENARIOS, 'f'].join(',')],
      {},
    )
    const { code } = await bench.exited
    expect(code, bench.stderr()).toBe(0)
    // Every server's probe reported the Node.js it ran on, and it is the one asked for (here the bench's own).
    expect(bench.stdout()).toContain(`servers under test on Node.js ${process.version}`)
    const lines = bench.stdout().split('\n')
    const header = lines.find((line) => line.startsWith('scenario'))
    expect(header).toMatch(/images\/s.*overhead p50.*lag p50.*status\/image.*RSS peak MiB.*loop p99 ms/)
    for (const scenario of SCENARIOS) {
      for (const server of SERVERS) {
        const row = lines.find((line) => new RegExp(`^${scenario}\\s+${server}\\s`).test(line))
        expect(row, `row (${scenario}) ${server}`).toBeDefined()
        const images = Number(row?.split(/\s+/)[2])
        expect(images, `images in (${scenario}) ${server}`).toBeGreaterThan(0)
      }
    }
    // (f): the bundle's and bare Fastify's idle RSS, time to ready and CPU to ready, each a positive figure.
    for (const server of ['akashgen (node dist/server.mjs)', 'bare Fastify']) {
      const row = lines.find((line) => line.startsWith(`f  ${server}`))
      const [rss, ready, cpu] = (row?.slice(`f  ${server}`.length).match(/\d+(\.\d+)?/g) ?? []).map(Number)
      expect(rss, `idle RSS of ${server}`).toBeGreaterThan(10)
      expect(ready, `ready ms of ${server}`).toBeGreaterThan(0)
      // The CPU time to ready comes from /proc (Linux, where CI runs).
      expect(cpu, `CPU ms to ready of ${server}`).toBeGreaterThan(0)
    }
  }, 180_000)

  it('refuses an unknown scenario with its usage and exit code 2, starting nothing', async () => {
    const bench = runNode(['--import', 'tsx', 'bench/run.ts', '--only', 'z'], {})
    const { code } = await bench.exited
    expect(code).toBe(2)
    expect(bench.stderr()).toContain(
      '--only takes scenario ids a, b, c, d, a-growing, a-absent, b-growing, b-absent, b-steady, f',
    )
  })

  it('refuses a --node that is not a Node.js binary, naming it, with exit code 2', async () => {
    const bench = runNode(['--import', 'tsx', 'bench/run.ts', '--node', '/bin/true'], {})
    const { code } = await bench.exited
    expect(code).toBe(2)
    expect(bench.stderr()).toContain('--node takes a Node.js binary; /bin/true printed ')
  })
})
