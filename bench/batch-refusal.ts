// Server-side cost of refused tRPC batches (app.inject, no socket), beside two cheap answers for scale.
// Run: npx tsx bench/batch-refusal.ts   (median of 5 runs of 500 requests each)
import { buildApp } from '../server/app.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/logger.ts'

const app = await buildApp({
  config: loadConfig({
    LOG_LEVEL: 'silent',
    AKASHGEN_UPSTREAM_URL: 'http://127.0.0.1:9',
    AKASHGEN_RATE_LIMIT: '1000000',
  }),
  logger: createLogger('silent'),
})
await app.ready()
const urls = {
  'one health call (for comparison)': '/trpc/health?input={}',
  'GET /api/jobs/x (400, for comparison)': '/api/jobs/x',
  '4,900 unknown (5 KB URL)': `/trpc/${','.repeat(4899)}?batch=1&input={}`,
  '51 x health': `/trpc/${Array(51).fill('health').join(',')}?batch=1&input={}`,
}
for (const [name, url] of Object.entries(urls)) {
  const runs: number[] = []
  for (let r = 0; r < 5; r++) {
    const t = performance.now()
    for (let i = 0; i < 500; i++) await app.inject({ url })
    runs.push(((performance.now() - t) / 500) * 1000)
  }
  const res = await app.inject({ url })
  console.log(
    `${name}: ${res.statusCode} ${res.body.length} bytes, median ${(runs.sort((a, b) => a - b)[2] ?? 0).toFixed(0)} µs per request`,
  )
}
await app.close()
