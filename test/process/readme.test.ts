/** The curl examples for POST /api/generate in the README and docs/*.md work as written (only the host changes). */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useGatewayHarness } from '../support/harness.ts'
import { documentationFiles, readRepoFile, shellBlocks } from '../support/markdown.ts'

/** A curl line that posts to /api/generate and saves an image, after the variables its block set before it. */
interface CurlExample {
  file: string
  curl: string
  /** `KEY=$(...)` lines above it in the same block, which it reads (e.g. an Idempotency-Key). */
  setup: string[]
  output: string
}

const GENERATE_CURL = /^curl .*-X POST \S+\/api\/generate.*(?:-o|--output) (\S+\.webp)/
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=(\S+|\$\(.*\))$/

/** Every such curl line of one Markdown file, continuations joined. */
function generateCurls(file: string): CurlExample[] {
  const examples: CurlExample[] = []
  for (const block of shellBlocks(readRepoFile(file))) {
    const setup: string[] = []
    for (const line of block.split('\n')) {
      if (ASSIGNMENT.test(line)) setup.push(line)
      const curl = GENERATE_CURL.exec(line)
      if (curl) examples.push({ file, curl: line, setup: [...setup], output: curl[1] as string })
    }
  }
  return examples
}

const readme = () => generateCurls('README.md')
const docs = () =>
  documentationFiles()
    .filter((file) => file.startsWith('docs/'))
    .flatMap(generateCurls)

const harness = useGatewayHarness()
let folder: string
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'akashgen-readme-'))
})
afterAll(() => rm(folder, { recursive: true, force: true }))

describe('the curl examples', () => {
  it('include the Go proxy example with "DPM++ 2M Karras" in the README and in docs/rest.md', () => {
    for (const examples of [readme(), docs().filter((example) => example.file === 'docs/rest.md')]) {
      expect(examples.some((example) => example.curl.includes('"sampler": "DPM++ 2M Karras"'))).toBe(true)
    }
    expect(readme().length).toBeGreaterThanOrEqual(2)
  })

  it('each write an image file, from the README and from docs/', async () => {
    const gateway = await harness.openGateway()
    const examples = [...readme(), ...docs()]
    expect(examples.filter((example) => example.file !== 'README.md').length).toBeGreaterThanOrEqual(2)
    for (const [index, example] of examples.entries()) {
      const cwd = join(folder, String(index))
      const command = [...example.setup, example.curl]
        .join('\n')
        .replaceAll('http://localhost:6571', gateway.url)
      await promisify(execFile)('bash', ['-c', `set -e; mkdir -p ${cwd}; cd ${cwd}\n${command}`])
      const bytes = await readFile(join(cwd, example.output))
      expect(bytes.subarray(8, 12).toString('latin1'), `${example.file}: ${example.curl}`).toBe('WEBP')
    }
  })
})
