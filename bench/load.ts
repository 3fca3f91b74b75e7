// Closed-loop load over node:http: each client sends its next request once the previous answer's last byte came.
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'

/** One request as the client saw it; times are performance.now() milliseconds. */
export interface RequestResult {
  prompt: string
  startMs: number
  endMs: number
  status: number
  bytes: number
  error?: string
}

/** What drives a closed loop. */
export interface LoadSpec {
  /** Origin of the server under test. */
  url: string
  clients: number
  /** The unique prompt of the n-th request (n counts from 0 across all clients). */
  promptFor(n: number): string
  /** Stop sending after this many requests in total; unbounded when absent (then call stop()). */
  maxRequests?: number
  /** Longest one request may take before it is counted as an error. */
  requestTimeoutMs: number
}

/** A running closed loop. */
export interface LoadRun {
  /** Every finished request so far, in finishing order (aborted ones are left out). */
  results: RequestResult[]
  /** Resolves when every client has stopped by itself (maxRequests reached). */
  done: Promise<void>
  /** Stops sending, aborts requests still in flight and waits for every client to end. */
  stop(): Promise<void>
}

// Far more sockets than clients: a shared agent must never queue a request behind another one.
const agent = new Agent({ keepAlive: true, maxSockets: 1000 })

/** Starts `spec.clients` clients that each loop request -> whole answer -> next request. */
export function startClosedLoop(spec: LoadSpec): LoadRun {
  const results: RequestResult[] = []
  const stopper = new AbortController()
  let sent = 0
  const client = async () => {
    while (!stopper.signal.aborted && (spec.maxRequests === undefined || sent < spec.maxRequests)) {
      const prompt = spec.promptFor(sent++)
      const result = await generate(spec, prompt, stopper.signal)
      if (stopper.signal.aborted) return
      results.push(result)
    }
  }
  const done = Promise.all(Array.from({ length: spec.clients }, client)).then(() => undefined)
  return {
    results,
    done,
    stop: async () => {
      stopper.abort()
      await done
    },
  }
}

/** Closes the kept-alive sockets, so the bench process can exit. */
export function closeLoadSockets(): void {
  agent.destroy()
}

function generate(spec: LoadSpec, prompt: string, stop: AbortSignal): Promise<RequestResult> {
  const body = JSON.stringify({ prompt })
  const startMs = performance.now()
  return new Promise((resolve) => {
    const finish = (status: number, bytes: number, error?: string) =>
      resolve({ prompt, startMs, endMs: performance.now(), status, bytes, ...(error ? { error } : {}) })
    const signal = AbortSignal.any([stop, AbortSignal.timeout(spec.requestTimeoutMs)])
    const req = request(
      `${spec.url}/api/generate`,
      {
        method: 'POST',
        agent,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let bytes = 0
        let text = ''
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
          // An error answer is kept (its start) so a failing run can say why.
          if (res.statusCode !== 200 && text.length < 300) text += chunk.toString('utf8', 0, 300)
        })
        res.on('end', () => finish(res.statusCode ?? 0, bytes, text || undefined))
        res.on('error', (error) => finish(res.statusCode ?? 0, bytes, error.message))
      },
    )
    req.on('error', (error) => finish(0, 0, error.message))
    req.end(body)
  })
}
