// Benchmark probe, not product code: preloaded into a server under test (`node --import ./bench/upstream-calls.mjs`),
// it records when each upstream call through a node:http Agent starts and when its response ends, to the file
// BENCH_CALLS_FILE (JSON [ms, 'start' | 'end', 'status' | 'submit' | 'other'], written every second and on
// SIGTERM). `bench/hand-over.ts` reads it to time the hand-over at the gateway itself.
import { writeFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { performance } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'

const file = process.env.BENCH_CALLS_FILE
// Loader hooks run preloads in their own thread too: only the main thread makes the server's calls.
if (isMainThread && file) {
  const calls = []
  const kindOf = (path) =>
    path.startsWith('/api/status') ? 'status' : path.startsWith('/api/generate') ? 'submit' : 'other'
  const addRequest = Agent.prototype.addRequest
  Agent.prototype.addRequest = function (request, options) {
    const kind = kindOf(request.path ?? '')
    calls.push([performance.now(), 'start', kind])
    request.once('response', (response) =>
      response.once('end', () => calls.push([performance.now(), 'end', kind])),
    )
    return addRequest.call(this, request, options)
  }
  const save = () => writeFileSync(file, JSON.stringify(calls))
  setInterval(save, 1000).unref()
  process.prependListener('SIGTERM', save)
}
