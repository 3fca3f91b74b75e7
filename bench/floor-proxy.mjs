// Benchmark fixture, not product code: the least a Node proxy can do per image, to measure the floor of CPU per
// image on this Node (`npx tsx bench/cpu-slices.ts 63 10 bench/floor-proxy.mjs`). node:http with keep-alive, no
// framework, no validation, no timeouts, no cancelling, no metrics or logs; N slots; each job is asked about
// alone, 300 ms after its submission and then every 25 ms, so it costs a little more than one status request.
import { Agent, createServer, request } from 'node:http'

const FIRST_ASK_MS = 300
const ASK_EVERY_MS = 25

const upstream = new URL(process.env.AKASHGEN_UPSTREAM_URL ?? 'http://127.0.0.1:8080')
const agent = new Agent({ keepAlive: true })
let free = Number(process.env.AKASHGEN_MAX_CONCURRENT ?? 10)
const waiting = []

/** One upstream call; resolves with the status, content type and whole body. */
function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers =
      body === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
    const req = request(
      { host: upstream.hostname, port: upstream.port, path, method, headers, agent },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks) }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function generate(input) {
  const submitted = await call('POST', '/api/generate', input)
  const { job_id: jobId } = JSON.parse(submitted.body.toString())
  await wait(FIRST_ASK_MS)
  for (;;) {
    const [job] = JSON.parse((await call('GET', `/api/status?ids=${jobId}`)).body.toString())
    if (job.status === 'failed') throw new Error(`job failed: ${job.result}`)
    if (job.status === 'succeeded' || job.status === 'completed')
      return call('GET', new URL(job.result, upstream).pathname)
    await wait(ASK_EVERY_MS)
  }
}

createServer((req, res) => {
  if (req.url === '/health') return res.end('{"status":"ok"}')
  let input = ''
  req.on('data', (chunk) => {
    input += chunk
  })
  req.on('end', async () => {
    if (free > 0) free--
    else await new Promise((resolve) => waiting.push(resolve))
    try {
      const image = await generate(input)
      res.writeHead(200, { 'content-type': image.type }).end(image.body)
    } catch (error) {
      res.writeHead(502).end(String(error))
    } finally {
      const next = waiting.shift()
      if (next) next()
      else free++
    }
  })
}).listen(Number(process.env.PORT ?? 6571), process.env.HOST ?? '127.0.0.1')
