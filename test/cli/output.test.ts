/** Where the image goes when no `-o` is given: a file name from the prompt, the job and the type, never reused. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultFileName, extensionFor, writeNewFile } from '../../client/cli/output.ts'

const JOB_ID = '3f1c2a9e-5b6d-4c1e-9f00-123456789abc'

describe('defaultFileName', () => {
  it.each([
    ['a lake at dawn', 'image/webp', 'a-lake-at-dawn-3f1c2a.webp'],
    ['  Crème Brûlée, on a TABLE!  ', 'image/png', 'creme-brulee-on-a-table-3f1c2a.png'],
    ['東京の夜', 'image/jpeg', 'image-3f1c2a.jpg'],
    ['x'.repeat(100), 'image/webp', `${'x'.repeat(48)}-3f1c2a.webp`],
  ])('%j as %s gives %s', (prompt, type, name) => {
    expect(defaultFileName(prompt, JOB_ID, type)).toBe(name)
  })

  it('numbers later copies', () => {
    expect(defaultFileName('a lake', JOB_ID, 'image/webp', 2)).toBe('a-lake-3f1c2a-2.webp')
  })
})

describe('extensionFor', () => {
  it.each([
    ['image/webp', 'webp'],
    ['image/jpeg', 'jpg'],
    ['image/png; charset=binary', 'png'],
    ['application/octet-stream', 'bin'],
  ])('%s is .%s', (type, extension) => {
    expect(extensionFor(type)).toBe(extension)
  })
})

describe('writeNewFile', () => {
  let folder: string
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'akashgen-output-'))
  })
  afterEach(() => rm(folder, { recursive: true, force: true }))

  it('never overwrites: a name in use gets the next copy number', async () => {
    const nameFor = (copy: number) => join(folder, defaultFileName('a lake', JOB_ID, 'image/webp', copy))
    await writeFile(nameFor(1), 'first')
    await writeFile(nameFor(2), 'second')

    const path = await writeNewFile(new Uint8Array([1, 2, 3]), nameFor)

    expect(path).toBe(join(folder, 'a-lake-3f1c2a-3.webp'))
    expect([...(await readFile(path))]).toEqual([1, 2, 3])
    expect(await readFile(nameFor(1), 'utf8')).toBe('first')
    expect(await readFile(nameFor(2), 'utf8')).toBe('second')
  })
})
