// The soak's clients: a closed loop of good, bad and cancelled requests over every surface, each outcome recorded.
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'

/** What one request was meant to do. */
export type Scenario =
  | 'rest-sync'
  | 'rest-idempotent'
  | 'openai-n2'
  | 'bad-body'
  | 'abort-mid-job'
  | 'rest-async-delete'
  | 'trpc-cancel'

/** The share of each scenario in the mix (sums to 1). */
export const MIX: Record<Scenario, number> = {
  'rest-sync': 0.5,
  'rest-idempotent': 0.05,
  'openai-n2': 0.05,
  'bad-body': 0.15,
  'abort-mid-job': 0.1,
  'rest-async-delete': 0.075,
  'trpc-cancel': 0.075,
}

/** One request as the client saw it. `status` 0: aborted by the client on purpose; `code`: the error code. */
export interface Outcome {
  scenario: Scenario
  status: number
  code?: string
  ms: number
  jobIds: string[]
  error?: string
}

// Far more sockets than clients: requests never queue behind each other in the client.
const agent = new Agent({ keepAlive: true, maxSockets: 2000 })

/** Closes the kept-alive sockets so the soak process can exit. */
export const closeClientSockets = (): void => agent.destroy()

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** One HTTP request; `abortAfterMs` hangs up mid-way on purpose (resolves with status 0). */
function call(
  url: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
  abortAfterMs?: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(120_000)
    const req = request(`${url}${path}`, {
      method,
      agent,
      signal,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    })
    let timer: NodeJS.Timeout | undefined
    if (abortAfterMs !== undefined)
      timer = setTimeout(() => {
        req.destroy()
        resolve({ status: 0, headers: {}, body: Buffer.alloc(0) })
      }, abortAfterMs)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        clearTimeout(timer)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
      })
      res.on('error', (error) => (timer ? undefined : reject(error)))
    })
    req.on('error', (error) => (abortAfterMs !== undefined ? undefined : reject(error)))
    req.end(body)
  })
}

const codeOf = (answer: Answer): string | undefined => {
  if (answer.status < 400) return undefined
  try {
    const parsed = JSON.parse(answer.body.toString()) as {
      code?: string
      error?: { code?: string; json?: { data?: { errorCode?: string } } }
    }
    return parsed.code ?? parsed.error?.code?.toUpperCase() ?? parsed.error?.json?.data?.errorCode
  } catch {
    return undefined
  }
}

const jobIdsOf = (answer: Answer): string[] =>
  String(answer.headers['x-job-id'] ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const between = (min: number, max: number) => min + Math.random() * (max - min)
const BAD_BODIES = [
  '{"prompt":""}',
  '{"prompt":"x","sampler":"warp"}',
  'not json',
  '[]',
  '{"negative":"only"}',
]

/** Runs one request of `scenario` against the gateway at `url`, recording what came back. */
export async function runScenario(url: string, scenario: Scenario, n: number): Promise<Outcome> {
  const started = performance.now()
  const done = (answer: Answer, jobIds = jobIdsOf(answer)): Outcome => ({
    scenario,
    status: answer.status,
    code: codeOf(answer),
    ms: performance.now() - started,
    jobIds,
  })
  const prompt = JSON.stringify({ prompt: `soak ${n}` })
  switch (scenario) {
    case 'rest-sync':
      return done(await call(url, 'POST', '/api/generate', prompt))
    case 'rest-idempotent': {
      // The same key twice: the second answer must name the same job.
      const key = { 'idempotency-key': `soak-${n}` }
      const first = await call(url, 'POST', '/api/generate', prompt, key)
      const again = await call(url, 'POST', '/api/generate', prompt, key)
      const outcome = done(again, [...new Set([...jobIdsOf(first), ...jobIdsOf(again)])])
      if (first.status < 400 && outcome.jobIds.length !== 1)
        outcome.error = 'a replayed Idempotency-Key named another job'
      return outcome
    }
    case 'openai-n2':
      return done(
        await call(url, 'POST', '/v1/images/generations', JSON.stringify({ prompt: `soak ${n}`, n: 2 })),
      )
    case 'bad-body':
      return done(await call(url, 'POST', '/api/generate', BAD_BODIES[n % BAD_BODIES.length]))
    case 'abort-mid-job':
      return done(await call(url, 'POST', '/api/generate', prompt, {}, between(50, 800)))
    case 'rest-async-delete': {
      const accepted = await call(url, 'POST', '/api/generate', prompt, { prefer: 'respond-async' })
      const [jobId] = jobIdsOf(accepted)
      if (!jobId) return done(accepted)
      await sleep(between(0, 600))
      return done(await call(url, 'DELETE', `/api/jobs/${jobId}`), [jobId])
    }
    case 'trpc-cancel': {
      const accepted = await call(
        url,
        'POST',
        '/trpc/generate',
        JSON.stringify({ json: { prompt: `soak ${n}` } }),
      )
      const parsed = JSON.parse(accepted.body.toString() || '{}') as {
        result?: { data?: { json?: { jobId?: string } } }
      }
      const jobId = parsed.result?.data?.json?.jobId
      if (!jobId) return done(accepted, [])
      await sleep(between(0, 600))
      return done(await call(url, 'POST', '/trpc/cancel', JSON.stringify({ json: { jobId } })), [jobId])
    }
  }
}

/** Picks a scenario by the mix. */
export function pickScenario(): Scenario {
  let roll = Math.random()
  for (const [scenario, share] of Object.entries(MIX) as [Scenario, number][]) {
    roll -= share
    if (roll < 0) return scenario
  }
  return 'rest-sync'
}
