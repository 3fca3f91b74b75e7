// Edge figures of issue 11 (loopback only, bounded): RSS under a 300 MB multipart POST to /trpc/cancel, the
// cost of a 4,900-call batch of unknown procedures, and how long a body that never comes holds a socket.
// Run: npx tsx bench/edges.ts [runs=5] [multipart,batch,nobody]   (starts its own gateway; prints medians)

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Number(process.argv[2] ?? 5)
const PARTS = new Set((process.argv[3] ?? 'multipart,batch,nobody').split(','))
/** How long the no-body socket is watched at most: "still open" past it means no timeout. */
const WATCH_MS = 70_000

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
  return Number(line?.[1] ?? 0) / 1024
}

async function startGateway(env: Record<string, string>) {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      AKASHGEN_UPSTREAM_URL: 'http://127.0.0.1:9',
      AKASHGEN_RATE_LIMIT: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, port, pid: child.pid ?? 0, stop: () => child.kill('SIGKILL') }
}

/** Streams `mib` MiB of multipart/form-data to `path`, sampling the gateway's RSS; returns the peak. */
async function multipartPeak(gateway: { url: string; pid: number }, mib: number): Promise<number> {
  let peak = rssMiB(gateway.pid)
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(gateway.pid))
  }, 20)
  const boundary = 'edgeboundary'
  const chunk = Buffer.alloc(1024 * 1024, 97)
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
      )
    },
    pull(controller) {
      if (sent++ < mib) controller.enqueue(chunk)
      else {
        controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`))
        controller.close()
      }
    },
  })
  const answer = await fetch(`${gateway.url}/trpc/cancel`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: 'half',
  } as RequestInit).then(
    async (r) => `${r.status} ${(await r.text()).slice(0, 60)}`,
    (error: Error) => `connection ended: ${error.message}`,
  )
  await new Promise((resolve) => setTimeout(resolve, 300))
  clearInterval(sampler)
  console.log(`  answer: ${answer}`)
  return Math.max(peak, rssMiB(gateway.pid))
}

/** Time and size of the answer to a 4,900-call batch of the unknown procedure "" (a ~5 KB URL of commas). */
async function bigBatch(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const path = ','.repeat(4899)
  const started = performance.now()
  const response = await fetch(`${url}/trpc/${path}?batch=1&input={}`)
  const bytes = (await response.arrayBuffer()).byteLength
  return { ms: performance.now() - started, bytes, status: response.status }
}

/** How long a `POST /trpc/generate` announcing 10,000 bytes and sending none stays open (capped). */
function noBodyOpenMs(port: number): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now()
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        'POST /trpc/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n',
      ),
    )
    socket.resume()
    const cap = setTimeout(() => socket.destroy(), WATCH_MS)
    socket.once('close', () => {
      clearTimeout(cap)
      resolve(performance.now() - started)
    })
  })
}

const gateway = await startGateway({})
try {
  if (PARTS.has('multipart')) {
    const idle = rssMiB(gateway.pid)
    const peak = await multipartPeak(gateway, 300)
    console.log(
      `multipart 300 MiB to /trpc/cancel: RSS ${idle.toFixed(0)} MiB idle, peak ${peak.toFixed(0)} MiB`,
    )
  }
  const batches = []
  for (let i = 0; i < RUNS && PARTS.has('batch'); i++) batches.push(await bigBatch(gateway.url))
  if (batches.length > 0)
    console.log(
      `4,900-call batch: status ${batches[0]?.status}, median ${median(batches.map((b) => b.ms)).toFixed(1)} ms, ` +
        `${median(batches.map((b) => b.bytes))} bytes (${RUNS} runs: ${batches.map((b) => b.ms.toFixed(1)).join(', ')} ms)`,
    )
  const open = await Promise.all(
    Array.from({ length: PARTS.has('nobody') ? 3 : 0 }, () => noBodyOpenMs(gateway.port)),
  )
  const shown = open.map((ms) => (ms >= WATCH_MS ? `>${WATCH_MS / 1000} s` : `${(ms / 1000).toFixed(1)} s`))
  if (open.length > 0)
    console.log(`POST /trpc/generate, Content-Length 10000, no body: open for ${shown.join(', ')}`)
} finally {
  gateway.stop()
}
