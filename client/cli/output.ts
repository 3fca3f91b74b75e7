/** Where the image goes: stdout, the path given, or a new file named after the prompt and the job. */
import { writeFile } from 'node:fs/promises'

/** Longest prompt part of a picked file name, in characters. */
const MAX_SLUG_LENGTH = 48

/** The file extension for an image's content type: webp, png, jpg... */
export function extensionFor(contentType: string): string {
  const subtype = contentType.split(';')[0]?.trim().toLowerCase().split('/')[1] ?? ''
  if (subtype === 'jpeg') return 'jpg'
  return /^[a-z0-9]{1,10}$/.test(subtype) ? subtype : 'bin'
}

/** The name picked when no `-o` is given: the prompt's words, the job id's start and the type, e.g. `a-lake-3f1c2a.webp`. */
export function defaultFileName(prompt: string, jobId: string, contentType: string, copy = 1): string {
  const words = prompt
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '')
  const id = jobId.replace(/[^A-Za-z0-9]/g, '').slice(0, 6)
  const suffix = copy > 1 ? `-${copy}` : ''
  return `${[words || 'image', id].filter(Boolean).join('-')}${suffix}.${extensionFor(contentType)}`
}

/** Writes `bytes` to a new file named by `nameFor(copy)`, taking the next copy number while a name exists. */
export async function writeNewFile(bytes: Uint8Array, nameFor: (copy: number) => string): Promise<string> {
  for (let copy = 1; ; copy++) {
    const path = nameFor(copy)
    try {
      // `wx` fails when the file exists, with no window between a check and the write.
      await writeFile(path, bytes, { flag: 'wx' })
      return path
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || copy >= 1000) throw error
    }
  }
}

/** Writes `bytes` to the path given, replacing what is there (the caller named it). */
export async function writeGivenFile(path: string, bytes: Uint8Array): Promise<string> {
  await writeFile(path, bytes)
  return path
}

/** Writes to a stream (stdout) and resolves once the bytes are handed to the operating system. */
export function writeToStream(stream: NodeJS.WritableStream, bytes: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(bytes, (error) => (error ? reject(error) : resolve()))
  })
}

/** A size for people: 812 B, 12.3 kB, 1.4 MB. */
export function formatBytes(count: number): string {
  if (count < 1000) return `${count} B`
  if (count < 1_000_000) return `${(count / 1000).toFixed(1)} kB`
  return `${(count / 1_000_000).toFixed(1)} MB`
}
