// CPU per upstream call of node:http with keep-alive, by how the call is stopped: a per-call AbortController
// passed as `signal` (Node then adds an abort listener and an end-of-stream watcher to every request), or
// destroying the request directly, as server/upstream/deadline.ts does. Both follow a long-lived caller signal
// and arm a 30 s timer. The loopback server runs on the other core. Usage: `node bench/signal-cost.mjs [calls]`.
import { spawn } from 'node:child_process'
import { Agent, createServer, request } from 'node:http'

const CALLS = Number(process.argv[2] ?? 30_000)
const CONCURRENT = 10

if (process.argv[2] === 'server') {
  const body = JSON.stringify([{ job_id: 'x'.repeat(36), status: 'pending', elapsed_time: 1.5 }])
  createServer((req, res) => {
    req.resume()
    req.on('end', () => res.setHeader('content-type', 'application/json').end(body))
  }).listen(0, '127.0.0.1', function () {
    process.stdout.write(`${this.address().port}\n`)
  })
} else {
  const server = spawn('taskset', ['-c', '1', process.execPath, import.meta.filename, 'server'])
  const port = await new Promise((resolve) => server.stdout.once('data', (data) => resolve(Number(data))))
  const agent = new Agent({ keepAlive: true })
  const caller = new AbortController()
  const url = new URL(`http://127.0.0.1:${port}/api/status?ids=abc`)

  /** One call, stopped through a per-call AbortController (`withSignal`) or by destroying the request. */
  const call = (withSignal) =>
    new Promise((resolve, reject) => {
      let stop
      const controller = withSignal ? new AbortController() : undefined
      const onCaller = () => stop(caller.signal.reason)
      const timer = setTimeout(() => stop(new DOMException('timed out', 'TimeoutError')), 30_000)
      timer.unref()
      caller.signal.addEventListener('abort', onCaller, { once: true })
      const options = { headers: { accept: 'application/json' }, agent, signal: controller?.signal }
      const req = request(url, options, (res) => {
        res.once('close', () => {
          clearTimeout(timer)
          caller.signal.removeEventListener('abort', onCaller)
        })
        res.on('data', () => {})
        res.on('end', resolve)
      })
      req.once('error', reject)
      stop = controller
        ? (reason) => controller.abort(reason)
        : (reason) => req.destroy(new Error('aborted', { cause: reason }))
      req.end()
    })
  const run = async (withSignal, calls) => {
    let sent = 0
    const lane = async () => {
      while (sent++ < calls) await call(withSignal)
    }
    await Promise.all(Array.from({ length: CONCURRENT }, lane))
  }
  const cpuPerCall = async (withSignal) => {
    await run(withSignal, 5000)
    const before = process.cpuUsage()
    await run(withSignal, CALLS)
    const { user, system } = process.cpuUsage(before)
    return (user + system) / CALLS
  }
  for (let round = 1; round <= 3; round++) {
    const signal = await cpuPerCall(true)
    const direct = await cpuPerCall(false)
    console.log(
      `round ${round}: per-call AbortController ${signal.toFixed(0)} µs, direct destroy ${direct.toFixed(0)} µs`,
    )
  }
  server.kill()
}
