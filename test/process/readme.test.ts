/** The README's curl examples for POST /api/generate work as written (only the host is changed). */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'

/** Every curl line of the README that posts to /api/generate and saves an image, continuations joined. */
async function readmeGenerateCurls(): Promise<string[]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) =>
    (match[1] ?? '').replace(/\\\n\s*/g, ''),
  )
  return blocks
    .flatMap((block) => block.split('\n'))
    .filter((line) => /^curl .*-X POST \S+\/api\/generate.*(-o|--output) \S+\.webp/.test(line))
}

const harness = useGatewayHarness()
let folder: string
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'akashgen-readme-'))
})
afterAll(() => rm(folder, { recursive: true, force: true }))

describe('the README curl examples', () => {
  it('include the Go proxy example with "DPM++ 2M Karras"', async () => {
    const curls = await readmeGenerateCurls()
    expect(curls.length).toBeGreaterThanOrEqual(2)
    expect(curls.some((line) => line.includes('"sampler": "DPM++ 2M Karras"'))).toBe(true)
  })

  it('each write an image file', async () => {
    const gateway = await harness.openGateway()
    for (const curl of await readmeGenerateCurls()) {
      const command = curl.replaceAll('http://localhost:6571', gateway.url)
      await promisify(execFile)('bash', ['-c', `set -e; ${command}`], { cwd: folder })
    }
    const files = await readdir(folder)
    expect(files.length).toBeGreaterThanOrEqual(2)
    for (const file of files) {
      const bytes = await readFile(join(folder, file))
      expect(bytes.subarray(8, 12).toString('latin1'), file).toBe('WEBP')
    }
  })
})
