/** The emulator as integration tests use it: fast timings, a reset between tests, and the bytes it served. */
import {
  defaultOptions,
  type Emulator,
  type EmulatorJobView,
  type EmulatorOptions,
  startEmulator,
} from '@akashgen/emulator'
import { IMAGE_ACCEPT } from '../../server/upstream/client.ts'

/** Knobs every test starts from: the emulator's defaults (no faults) with small images and millisecond timings. */
const { port: _port, host: _host, ...defaults } = defaultOptions()
export const FAST_KNOBS: Partial<EmulatorOptions> = {
  ...defaults,
  queueMs: 20,
  runMs: 60,
  workers: 8,
  imageSize: 64,
}

/** Starts an emulator on a loopback port with the fast knobs. */
export function startTestEmulator(knobs: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  return startEmulator({ ...FAST_KNOBS, ...knobs })
}

/** Puts the emulator back to the fast knobs (plus `knobs`) and zeroes its counters. */
export function resetEmulator(emulator: Emulator, knobs: Partial<EmulatorOptions> = {}): void {
  emulator.configure({ ...FAST_KNOBS, ...knobs })
  emulator.resetCounters()
}

/** The emulator's job for a prompt (the newest when a prompt was used more than once). */
export function upstreamJobFor(emulator: Emulator, prompt: string): EmulatorJobView {
  const job = emulator
    .jobs()
    .filter((j) => j.prompt === prompt)
    .at(-1)
  if (!job) throw new Error(`the emulator never saw the prompt ${JSON.stringify(prompt)}`)
  return job
}

/**
 * The bytes the emulator serves for a job's `result`, fetched the way the gateway must fetch them: data URLs
 * decoded, `/_next/image` with w=2048&q=100, other paths directly or, when not served, through `/_next/image`.
 */
export async function servedImage(
  emulator: Emulator,
  job: EmulatorJobView,
): Promise<{ bytes: Buffer; type: string }> {
  if (job.result.startsWith('data:')) {
    const [head = '', base64 = ''] = job.result.split(',')
    return { bytes: Buffer.from(base64, 'base64'), type: head.slice(5, head.indexOf(';')) }
  }
  const get = async (url: URL) => {
    const response = await fetch(url, { headers: { accept: IMAGE_ACCEPT } })
    return {
      ok: response.ok,
      bytes: Buffer.from(await response.arrayBuffer()),
      type: response.headers.get('content-type') ?? '',
    }
  }
  const url = new URL(job.result, emulator.url)
  if (url.pathname !== '/_next/image') {
    const direct = await get(url)
    if (direct.ok) return direct
    const fallback = new URL('/_next/image', emulator.url)
    fallback.searchParams.set('url', url.pathname + url.search)
    url.search = fallback.search
    url.pathname = '/_next/image'
  }
  if (!url.searchParams.has('w')) url.searchParams.set('w', '2048')
  if (!url.searchParams.has('q')) url.searchParams.set('q', '100')
  return get(url)
}
