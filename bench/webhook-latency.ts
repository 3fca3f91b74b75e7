// Webhook delivery latency and the retry schedule as a receiver sees them, all on loopback.
// `npx tsx bench/webhook-latency.ts [jobs] [delays] [at once]` runs an emulator and an in-process gateway (memory mode), then:
// (1) after 8 warm-up jobs, `jobs` (default 40) jobs, `at once` (default 4) at a time, each with a webhook to a receiver that verifies it with
//     `standardwebhooks`: p50/p90/max of arrival minus the job's `finishedAt`;
// (2) one job whose receiver always answers 500, with AKASHGEN_WEBHOOK_RETRY_DELAYS_MS=`delays` (default
//     500,1000,2000,4000): the offsets of every attempt from the job's end. Bounded: it stops by itself.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Job, WebhookPayload } from '@akashgen/contract'
import { startEmulator } from '@akashgen/emulator'
import { Webhook } from 'standardwebhooks'
import { buildApp } from '../server/app.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/logger.ts'
import { percentile } from './stats.ts'

const jobs = Number(process.argv[2] ?? 40)
const delays = process.argv[3] ?? '500,1000,2000,4000'
const atOnce = Number(process.argv[4] ?? 4)
const secret = `whsec_${randomBytes(32).toString('base64')}`
const verifier = new Webhook(secret)

/** Arrivals by job id: when each verified delivery came in (ms), and what it carried. */
const arrivals = new Map<string, { at: number; payload: WebhookPayload }[]>()
let answer = 204
const receiver = createServer((request, response) => {
  let body = ''
  request.on('data', (chunk) => {
    body += chunk
  })
  request.on('end', () => {
    const at = Date.now()
    const payload = verifier.verify(body, request.headers as Record<string, string>) as WebhookPayload
    arrivals.set(payload.data.jobId, [...(arrivals.get(payload.data.jobId) ?? []), { at, payload }])
    response.writeHead(answer).end()
  })
})
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`

const emulator = await startEmulator({
  port: 0,
  host: '127.0.0.1',
  queueMs: 20,
  runMs: 100,
  workers: 8,
  imageSize: 64,
})
const config = loadConfig({
  AKASHGEN_UPSTREAM_URL: emulator.url,
  AKASHGEN_POLL_INTERVAL_MS: '20',
  AKASHGEN_WEBHOOK_SECRET: secret,
  AKASHGEN_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
  AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: delays,
  LOG_LEVEL: 'warn',
})
const app = await buildApp({ config, logger: createLogger('warn') })
const gateway = await app.listen({ port: 0, host: '127.0.0.1' })

/** Submits a job with a webhook and waits for its final view. */
async function run(prompt: string): Promise<Job> {
  const response = await fetch(`${gateway}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ prompt, webhook: { url: hookUrl } }),
  })
  return (await response.json()) as Job
}

const waitUntil = async (done: () => boolean, limitMs: number) => {
  const giveUpAt = Date.now() + limitMs
  while (!done() && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 10))
}

try {
  // Warm-up, not counted: the first connections and compiled paths cost tens of ms once.
  await Promise.all(Array.from({ length: 8 }, (_, k) => run(`warm-up ${k}`)))
  const finished: Job[] = []
  for (let i = 0; i < jobs; i += atOnce) {
    const batch = Array.from({ length: Math.min(atOnce, jobs - i) }, (_, k) => run(`latency ${i + k}`))
    finished.push(...(await Promise.all(batch)))
  }
  await waitUntil(() => finished.every((job) => arrivals.has(job.jobId)), 10_000)
  const latencies = finished.flatMap((job) => {
    const first = arrivals.get(job.jobId)?.[0]
    return first && job.finishedAt ? [first.at - Date.parse(job.finishedAt)] : []
  })
  console.log(
    `delivery latency from job end, ${latencies.length}/${jobs} jobs: p50 ${percentile(latencies, 50)} ms, ` +
      `p90 ${percentile(latencies, 90)} ms, max ${Math.max(...latencies)} ms`,
  )

  answer = 500
  const failing = await run('a receiver that always fails')
  const attempts = delays.split(',').length + 1
  const total = delays.split(',').reduce((sum, ms) => sum + Number(ms), 0)
  await waitUntil(() => (arrivals.get(failing.jobId)?.length ?? 0) >= attempts, total * 1.3 + 5000)
  const end = Date.parse(failing.finishedAt ?? '')
  const offsets = (arrivals.get(failing.jobId) ?? []).map(({ at }) => at - end)
  const gaps = offsets.slice(1).map((offset, i) => offset - (offsets[i] as number))
  console.log(
    `retry schedule ${delays} (±20 % jitter): attempts at +${offsets.join(', +')} ms; gaps ${gaps.join(', ')} ms`,
  )
} finally {
  await app.close()
  await emulator.close()
  receiver.close()
}
