/** `npm run demo` as a new user runs it: the printed curl line yields a real image file. */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { type RunningProcess, runScript } from '../support/process.ts'

let demo: RunningProcess | undefined
let folder: string | undefined
afterEach(async () => {
  demo?.kill()
  if (folder) await rm(folder, { recursive: true, force: true })
})

describe('npm run demo', () => {
  it('prints a curl line that writes a WebP image, offline', async () => {
    demo = runScript('scripts/demo.ts', {
      PORT: '0',
      EMULATOR_QUEUE_MS: '10',
      EMULATOR_RUN_MS: '50',
      EMULATOR_IMAGE_SIZE: '64',
    })
    const [line] = await demo.waitFor(/curl -sS -X POST .* -o lighthouse\.webp/)
    expect(line).toContain('"sampler":"DPM++ 2M Karras"')
    folder = await mkdtemp(join(tmpdir(), 'akashgen-demo-'))
    await promisify(execFile)('bash', ['-c', line], { cwd: folder })
    const image = await readFile(join(folder, 'lighthouse.webp'))
    expect(image.subarray(0, 4).toString('latin1')).toBe('RIFF')
    expect(image.subarray(8, 12).toString('latin1')).toBe('WEBP')
  })
})
