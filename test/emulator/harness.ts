// Shared moves for the emulator tests: fast options, submitting, polling and telling image formats apart.
import type { Emulator } from '@akashgen/emulator'

/** Options that make a whole job take well under a second. */
export const FAST = { queueMs: 20, runMs: 50, imageSize: 64 }

/** One element of a status answer. */
export interface StatusElement {
  job_id: string
  status: string
  result: string
  worker_name: string
  worker_city: string
  worker_country: string
  worker_gpu: string
  elapsed_time: number
  queue_position: number
}

/** POSTs a body to /api/generate. */
export function postGenerate(emulator: Emulator, body: unknown): Promise<Response> {
  return fetch(`${emulator.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** Submits a prompt and returns the upstream job id. */
export async function submitJob(
  emulator: Emulator,
  prompt = 'a red fox',
  extra: object = {},
): Promise<string> {
  const res = await postGenerate(emulator, { prompt, negative: '', ...extra })
  if (res.status !== 200) throw new Error(`submit answered ${res.status}`)
  return ((await res.json()) as { job_id: string }).job_id
}

/** GETs /api/status for some ids and returns the HTTP status and parsed body. */
export async function askStatus(emulator: Emulator, ids: string[]): Promise<{ code: number; body: unknown }> {
  const res = await fetch(`${emulator.url}/api/status?ids=${ids.join(',')}&_t=${Date.now()}`)
  return { code: res.status, body: await res.json() }
}

/** Polls one job until its status is one of words; fails after timeoutMs. */
export async function waitForStatus(
  emulator: Emulator,
  id: string,
  words: string[],
  timeoutMs = 3000,
): Promise<StatusElement> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const { body } = await askStatus(emulator, [id])
    const element = Array.isArray(body) ? (body[0] as StatusElement | undefined) : undefined
    if (element && words.includes(element.status)) return element
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`job ${id} never reached ${words.join('|')}`)
}

/** Submits a job and waits for it to succeed; returns its final status element. */
export async function finishedJob(emulator: Emulator, prompt = 'a red fox'): Promise<StatusElement> {
  const id = await submitJob(emulator, prompt)
  return waitForStatus(emulator, id, ['succeeded', 'completed'])
}

/** The image format told by magic bytes, or null when the bytes are not an image. */
export function imageKind(bytes: Uint8Array): 'webp' | 'png' | 'jpeg' | null {
  const text = Buffer.from(bytes.subarray(0, 12)).toString('latin1')
  if (text.startsWith('RIFF') && text.slice(8, 12) === 'WEBP') return 'webp'
  if (text.startsWith('\x89PNG')) return 'png'
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg'
  return null
}

/** Fetches a path on the emulator and returns status, content type and bytes. */
export async function download(
  emulator: Emulator,
  path: string,
  accept = 'image/webp,image/png,image/jpeg,image/*',
) {
  const res = await fetch(new URL(path, emulator.url), { headers: { accept } })
  return {
    code: res.status,
    type: res.headers.get('content-type') ?? '',
    bytes: new Uint8Array(await res.arrayBuffer()),
  }
}
