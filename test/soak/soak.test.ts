/** `npm run soak` in its short form: 50 clients for 10 s with 5% upstream faults must pass every check. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

it('passes a 10 s soak and prints its report', async () => {
  // REDIS_URL tells the test run where Redis is; the soak's gateway stays in memory.
  const { REDIS_URL: _redis, ...env } = process.env
  const child = spawn('npm', ['run', '--silent', 'soak', '--', '--seconds', '10', '--clients', '50'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  expect(output).toContain('soak report:')
  expect(output).toMatch(/p99 latency: \d+ ms/)
  expect(output).toMatch(/RSS \(peak of a window\): [\d.]+ MiB after warm-up, [\d.]+ MiB at the end/)
  expect(output).toMatch(/^ {2}200 +\d+$/m)
  expect(output).toMatch(/^ {2}400 INVALID_REQUEST +\d+$/m)
  expect(output, output).toContain('soak: PASS')
  expect(code).toBe(0)
}, 45_000)
