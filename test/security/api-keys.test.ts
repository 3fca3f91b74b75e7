// API keys on every surface: REST, SSE, tRPC (queries, mutations, batches, subscriptions), /v1 and the ops routes.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAkashGenClient, generateImage } from '@akashgen/client'
import { TRPCClientError } from '@trpc/client'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../server/config.ts'
import { ApiKeys } from '../../server/http/security/api-keys.ts'
import { runCli } from '../cli/run-cli.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { readSse } from '../support/sse.ts'

const harness = useGatewayHarness()

const KEY = 'test-key-0123456789abcdef'
const OTHER_KEY = 'other-key-fedcba9876543210'
const WRONG = 'test-key-0123456789abcdeX'
const PROMPT = { prompt: 'a lighthouse at dawn' }

const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

/** A gateway that wants `KEY` or `OTHER_KEY`. */
const openProtected = (env: Record<string, string> = {}) =>
  harness.openGateway({ AKASHGEN_API_KEYS: `${KEY}, ${OTHER_KEY}`, ...env })

async function expectRefused(response: Response, sentKey: boolean): Promise<void> {
  expect(response.status).toBe(401)
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="akashgen"/)
  expect(response.headers.get('www-authenticate')?.includes('invalid_token')).toBe(sentKey)
  const body = (await response.json()) as Record<string, unknown>
  expect(body).toMatchObject({ code: 'UNAUTHORIZED', retryable: false })
  expect(typeof body.error).toBe('string')
  expect(typeof body.requestId).toBe('string')
}

const trpcError = (error: unknown) => {
  expect(error).toBeInstanceOf(TRPCClientError)
  return (error as TRPCClientError<never>).data as unknown as { errorCode: string; httpStatus: number }
}

describe('ApiKeys.verify', () => {
  const keys = new ApiKeys([KEY, OTHER_KEY])
  it('accepts each configured key and names it by a digest, not the key', () => {
    const a = keys.verify([KEY])
    const b = keys.verify([undefined, OTHER_KEY])
    expect(a).toMatch(/^key:[0-9a-f]{16}$/)
    expect(b).toMatch(/^key:[0-9a-f]{16}$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain(KEY)
  })
  it('refuses wrong keys of the same length, shorter, longer, empty, and a prefix', () => {
    for (const wrong of [WRONG, KEY.slice(0, -1), `${KEY}x`, '', KEY.slice(0, 8), KEY.toUpperCase()])
      expect(keys.verify([wrong])).toBeUndefined()
    expect(keys.verify([undefined, undefined])).toBeUndefined()
  })
  it('is off without keys', () => {
    expect(new ApiKeys([]).enabled).toBe(false)
    expect(keys.enabled).toBe(true)
  })
})

describe('configuration', () => {
  it('reads a key file: one per line, blank lines and # comments skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'akashgen-keys-'))
    const file = join(dir, 'keys')
    await writeFile(file, `# the team's keys\n\n${KEY}\n  # old key below removed\n${OTHER_KEY}  \n`)
    expect(loadConfig({ AKASHGEN_API_KEYS_FILE: file }).AKASHGEN_API_KEYS_FILE).toEqual([KEY, OTHER_KEY])
  })
  it('stops start-up with one line for a missing key file, and never prints a key list', () => {
    expect(() => loadConfig({ AKASHGEN_API_KEYS_FILE: '/nonexistent/keys' })).toThrow(ConfigError)
    expect(() => loadConfig({ AKASHGEN_API_KEYS_FILE: '/nonexistent/keys' })).toThrow(
      /^Invalid AKASHGEN_API_KEYS_FILE="\/nonexistent\/keys": must be a readable file/,
    )
    const bad = `${KEY},short`
    let message = ''
    try {
      loadConfig({ AKASHGEN_API_KEYS: bad })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/^Invalid AKASHGEN_API_KEYS \(value hidden\): must be /)
    expect(message).not.toContain(KEY)
  })
})

describe('with AKASHGEN_API_KEYS', () => {
  it('REST refuses a missing or wrong key with 401 UNAUTHORIZED, and accepts Bearer and x-api-key', async () => {
    const gateway = await openProtected()
    const upstreamJobs = harness.emulator.jobs().length
    const post = (headers: Record<string, string>) =>
      fetch(`${gateway.url}/api/generate?wait=0`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(PROMPT),
      })
    await expectRefused(await post({}), false)
    await expectRefused(await post(bearer(WRONG)), true)
    await expectRefused(await post({ 'x-api-key': WRONG }), true)
    await expectRefused(await post({ authorization: `Basic ${KEY}` }), false)
    await expectRefused(await fetch(`${gateway.url}/api/jobs/nope`), false)
    // Unknown routes too: the guard does not tell which routes exist.
    await expectRefused(await fetch(`${gateway.url}/api/nothing-here`), false)
    expect(harness.emulator.jobs()).toHaveLength(upstreamJobs)

    const viaBearer = await post(bearer(KEY))
    expect([200, 202]).toContain(viaBearer.status)
    const viaHeader = await post({ 'x-api-key': OTHER_KEY })
    expect([200, 202]).toContain(viaHeader.status)
    // A job is its key's, however the key is sent; to the other key it does not exist.
    const jobId = viaHeader.headers.get('x-job-id') ?? ''
    expect((await fetch(`${gateway.url}/api/jobs/${jobId}`, { headers: bearer(OTHER_KEY) })).status).toBe(200)
    expect((await fetch(`${gateway.url}/api/jobs/${jobId}`, { headers: bearer(KEY) })).status).toBe(404)
  })

  it('guards the SSE route /api/jobs/:id/events', async () => {
    const gateway = await openProtected()
    const client = createAkashGenClient({ url: gateway.url, apiKey: KEY })
    const { jobId } = await client.generate.mutate(PROMPT)
    const url = `${gateway.url}/api/jobs/${jobId}/events`
    await expectRefused(await fetch(url, { headers: { accept: 'text/event-stream' } }), false)
    const response = await fetch(url, { headers: { accept: 'text/event-stream', 'x-api-key': KEY } })
    expect(response.status).toBe(200)
    const stream = await readSse(response)
    expect(stream.ended).toBe(true)
    expect(stream.messages.at(-1)?.event).toBe('succeeded')
  })

  it('tRPC queries, mutations and batches fail with UNAUTHORIZED without the key and work with it', async () => {
    const gateway = await openProtected()
    const upstreamJobs = harness.emulator.jobs().length
    const anonymous = createAkashGenClient({ url: gateway.url })
    const wrong = createAkashGenClient({ url: gateway.url, apiKey: WRONG })
    for (const client of [anonymous, wrong]) {
      const query = await client.health.query().catch((error: unknown) => error)
      expect(trpcError(query)).toMatchObject({ errorCode: 'UNAUTHORIZED', httpStatus: 401 })
      const mutation = await client.generate.mutate(PROMPT).catch((error: unknown) => error)
      expect(trpcError(mutation)).toMatchObject({ errorCode: 'UNAUTHORIZED', httpStatus: 401 })
    }
    const raw = await fetch(`${gateway.url}/trpc/health,health?batch=1&input={}`)
    expect(raw.status).toBe(401)
    expect(raw.headers.get('www-authenticate')).toMatch(/^Bearer/)
    // Refused before any call runs: one error object, which tRPC's batch client gives every call.
    const batch = (await raw.json()) as { error: { json: { data: { errorCode: string } } } }
    expect(batch.error.json.data.errorCode).toBe('UNAUTHORIZED')
    const calls = await Promise.allSettled([anonymous.health.query(), anonymous.health.query()])
    expect(calls.map((call) => call.status === 'rejected' && trpcError(call.reason)?.errorCode)).toEqual([
      'UNAUTHORIZED',
      'UNAUTHORIZED',
    ])
    expect(harness.emulator.jobs()).toHaveLength(upstreamJobs)

    const client = createAkashGenClient({ url: gateway.url, apiKey: KEY })
    const [health, accepted] = await Promise.all([client.health.query(), client.generate.mutate(PROMPT)])
    expect(health.status).toBe('ok')
    expect((await client.jobStatus.query({ jobId: accepted.jobId })).jobId).toBe(accepted.jobId)
    const withHeader = createAkashGenClient({ url: gateway.url, headers: { 'x-api-key': KEY } })
    expect((await withHeader.health.query()).status).toBe('ok')
  })

  it('tRPC subscriptions: connectionParams alone (as a browser sends them) or headers; refused without', async () => {
    const gateway = await openProtected()
    const client = createAkashGenClient({ url: gateway.url, apiKey: KEY })
    const { jobId } = await client.generate.mutate(PROMPT)
    const follow = (options: Parameters<typeof createAkashGenClient>[0]) =>
      new Promise<{ types: string[]; error?: unknown }>((resolve) => {
        const types: string[] = []
        const subscription = createAkashGenClient(options).jobEvents.subscribe(
          { jobId },
          {
            onData: (event) => types.push(event.data.type),
            onComplete: () => resolve({ types }),
            onError: (error) => {
              subscription.unsubscribe()
              resolve({ types, error })
            },
          },
        )
      })
    // Only connectionParams: the global EventSource class of the eventsource package without a fetch of ours
    // sends no headers, as a browser's EventSource.
    const { EventSource } = await import('eventsource')
    class HeaderlessEventSource extends EventSource {}
    const viaParams = await follow({ url: gateway.url, apiKey: KEY, EventSource: HeaderlessEventSource })
    expect(viaParams.error).toBeUndefined()
    expect(viaParams.types.at(-1)).toBe('succeeded')
    const viaHeaders = await follow({ url: gateway.url, headers: bearer(KEY) })
    expect(viaHeaders.error).toBeUndefined()
    expect(viaHeaders.types.at(-1)).toBe('succeeded')

    for (const options of [{ url: gateway.url }, { url: gateway.url, apiKey: WRONG }]) {
      const refused = await follow(options)
      expect(refused.types).toEqual([])
      expect(trpcError(refused.error).errorCode).toBe('UNAUTHORIZED')
    }
  })

  it('generateImage with apiKey makes the image (events and download included); without it, UNAUTHORIZED', async () => {
    const gateway = await openProtected()
    const image = await generateImage(PROMPT, { url: gateway.url, apiKey: KEY })
    expect(image.bytes.byteLength).toBeGreaterThan(0)
    expect(image.job.status).toBe('succeeded')
    await expect(generateImage(PROMPT, { url: gateway.url })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
  })

  it('the CLI with --api-key follows the job over its subscription and saves the image', async () => {
    const gateway = await openProtected()
    const dir = await mkdtemp(join(tmpdir(), 'akashgen-cli-'))
    const ok = runCli(['--url', gateway.url, '--api-key', KEY, '-o', join(dir, 'out.webp'), 'a windmill'])
    expect((await ok.exited).code).toBe(0)
    expect(ok.stderr()).toMatch(/wrote .*out\.webp/)
    const refused = runCli(['--url', gateway.url, 'a windmill'], { cwd: dir })
    expect((await refused.exited).code).not.toBe(0)
    expect(refused.stderr()).toContain('UNAUTHORIZED')
  })

  it('/v1 answers 401 in OpenAI shape (authentication_error) and accepts the key as the SDK sends it', async () => {
    const gateway = await openProtected()
    const response = await fetch(`${gateway.url}/v1/models`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(await response.json()).toEqual({
      error: { message: expect.any(String), type: 'authentication_error', param: null, code: 'unauthorized' },
    })
    const sdk = (apiKey: string) => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 })
    const refused = await sdk(WRONG)
      .models.list()
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError)
    const models = await sdk(KEY).models.list()
    expect(models.data.map((model) => model.id)).toEqual(['akashgen'])
    const images = await sdk(KEY).images.generate({ prompt: 'a red kite' })
    expect(images.data?.[0]?.url).toMatch(/\/api\/jobs\/.+\/image$/)
  })

  it('leaves /health, /ready, /metrics, the page, /openapi.json and /docs open by default', async () => {
    const gateway = await openProtected()
    for (const path of [
      '/health',
      '/ready',
      '/metrics',
      '/openapi.json',
      '/docs/',
      '/',
      '/playground/app.js',
    ])
      expect([path, (await fetch(`${gateway.url}${path}`)).status]).toEqual([path, 200])
  })

  it('guards /health, /ready and /metrics with AKASHGEN_PROTECT_OPS=true', async () => {
    const gateway = await openProtected({ AKASHGEN_PROTECT_OPS: 'true' })
    for (const path of ['/health', '/ready', '/metrics']) {
      await expectRefused(await fetch(`${gateway.url}${path}`), false)
      expect((await fetch(`${gateway.url}${path}`, { headers: bearer(KEY) })).status).toBe(200)
    }
    expect((await fetch(`${gateway.url}/openapi.json`)).status).toBe(200)
  })

  it('takes its keys from AKASHGEN_API_KEYS_FILE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'akashgen-keys-'))
    const file = join(dir, 'keys')
    await writeFile(file, `# comment\n\n${OTHER_KEY}\n`)
    const gateway = await harness.openGateway({ AKASHGEN_API_KEYS_FILE: file })
    await expectRefused(await fetch(`${gateway.url}/api/jobs/x`), false)
    await expectRefused(await fetch(`${gateway.url}/api/jobs/x`, { headers: bearer(KEY) }), true)
    const admitted = await fetch(`${gateway.url}/api/jobs/x`, { headers: bearer(OTHER_KEY) })
    expect(await admitted.json()).toMatchObject({ code: 'INVALID_REQUEST' })
  })

  it('never writes a key to its logs, whichever way it was sent', async () => {
    const gateway = await openProtected()
    const client = createAkashGenClient({ url: gateway.url, apiKey: KEY })
    const { EventSource } = await import('eventsource')
    class HeaderlessEventSource extends EventSource {}
    await generateImage(PROMPT, { url: gateway.url, apiKey: KEY, EventSource: HeaderlessEventSource })
    await client.health.query()
    await fetch(`${gateway.url}/api/jobs/x`, { headers: { 'x-api-key': WRONG } })
    await fetch(`${gateway.url}/v1/models`, { headers: bearer(OTHER_KEY) })
    await fetch(
      `${gateway.url}/trpc/health?connectionParams=${encodeURIComponent(JSON.stringify({ apiKey: WRONG }))}`,
    )
    gateway.app.log.info({ req: { headers: bearer(KEY) }, connectionParams: { apiKey: KEY } }, 'probe')
    const text = JSON.stringify(gateway.logs)
    expect(gateway.logs.length).toBeGreaterThan(5)
    expect(text).toContain('probe')
    for (const secret of [KEY, OTHER_KEY, WRONG]) expect(text).not.toContain(secret)
  })
})
