// Benchmark fixture, not product code: the Go proxy's algorithm re-created small (N slots, each job polled alone on a 1 s tick).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'

const TICK_MS = 1000
const DEADLINE_MS = 300_000

/** A counting semaphore: at most `slots` holders at once, the rest wait in FIFO order. */
function semaphore(slots: number) {
  let free = slots
  const waiting: Array<() => void> = []
  return {
    acquire: () =>
      new Promise<void>((resolve) => {
        if (free > 0) {
          free--
          resolve()
        } else waiting.push(resolve)
      }),
    release: () => {
      const next = waiting.shift()
      if (next) next()
      else free++
    },
  }
}

/** Submits, polls the one job every tick until it is final, then downloads its image. */
async function generate(upstream: string, request: Record<string, unknown>) {
  const { prompt, negative, sampler, scheduler } = request
  const submitted = await fetch(`${upstream}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, negative, sampler, scheduler }),
  })
  if (!submitted.ok) throw new Error(`submit answered ${submitted.status}`)
  const { job_id: jobId } = (await submitted.json()) as { job_id: string }
  for (const started = Date.now(); Date.now() - started < DEADLINE_MS; ) {
    await sleep(TICK_MS)
    const answer = await fetch(`${upstream}/api/status?ids=${encodeURIComponent(jobId)}`)
    if (!answer.ok) throw new Error(`status answered ${answer.status}`)
    const [job] = (await answer.json()) as Array<{ status: string; result: string }>
    if (job?.status === 'failed') throw new Error(`job failed: ${job.result}`)
    if (job?.status !== 'succeeded' && job?.status !== 'completed') continue
    const image = await fetch(new URL(job.result, upstream))
    if (!image.ok) throw new Error(`image answered ${image.status}`)
    return { bytes: Buffer.from(await image.arrayBuffer()), type: image.headers.get('content-type') ?? '' }
  }
  throw new Error('job timed out')
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of req) text += chunk
  return JSON.parse(text) as Record<string, unknown>
}

function main(): void {
  const upstream = (process.env.AKASHGEN_UPSTREAM_URL ?? '').replace(/\/+$/, '')
  const slots = semaphore(Number(process.env.AKASHGEN_MAX_CONCURRENT ?? 10))
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/health') return res.end('{"status":"ok"}')
    if (req.method !== 'POST' || req.url !== '/api/generate') {
      res.writeHead(404).end()
      return
    }
    try {
      const request = await readJson(req)
      await slots.acquire()
      try {
        const image = await generate(upstream, request)
        res.writeHead(200, { 'content-type': image.type }).end(image.bytes)
      } finally {
        slots.release()
      }
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: (error as Error).message }))
    }
  })
  server.listen(Number(process.env.PORT ?? 6571), process.env.HOST ?? '127.0.0.1')
}

main()
