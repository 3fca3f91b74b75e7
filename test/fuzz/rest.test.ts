// The REST surface under random and adversarial input: never a 5xx, never a crash, every 4xx a documented error.
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BODY_LIMIT } from '../../server/app.ts'
import type { TestGateway } from '../support/gateway.ts'
import { useGatewayHarness } from '../support/harness.ts'
import {
  errorLines,
  expectDocumentedClientError,
  fieldName,
  generateBody,
  jsonValue,
  nastyText,
  rawRequest,
  runs,
  watchForCrashes,
} from './support.ts'

const harness = useGatewayHarness()
watchForCrashes()

/** A header value fetch can send: visible ASCII and spaces (fetch refuses CR, LF and NUL itself). */
const headerValue = () =>
  fc.oneof(
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    }),
    fc.constantFrom(
      'wait=',
      'wait=-1',
      'wait=1e9',
      'wait=99999999999999999999',
      'respond-async;',
      ',,,',
      ';',
    ),
  )

/**
 * Posts `body` to /api/generate and checks the answer: a 202 (accepted, and then cancelled so the next run
 * has the slots), a 200 image or Job view, or a documented 4xx.
 */
async function postGenerate(
  gateway: TestGateway,
  body: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const response = await fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'respond-async', ...headers },
    body,
  })
  const context = `POST /api/generate ${JSON.stringify(headers)} ${body.slice(0, 300)}`
  const text = await response.text()
  if (response.status === 202 || response.status === 200) {
    const jobId = response.headers.get('x-job-id') ?? ''
    const cancelled = await fetch(`${gateway.url}/api/jobs/${jobId}`, { method: 'DELETE' })
    expect(cancelled.status, context).toBe(200)
    await cancelled.arrayBuffer()
  } else {
    expectDocumentedClientError(response.status, text, context)
  }
  return response.status
}

/** After a property: nothing logged at error level (an INTERNAL error, a failed stream). */
function expectQuietLogs(gateway: TestGateway): void {
  expect(errorLines(gateway.logs)).toEqual([])
}

describe('POST /api/generate', () => {
  it('answers arbitrary JSON values with 202 or a documented 4xx', async () => {
    const gateway = await harness.openGateway()
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonValue(), generateBody()), async (value) => {
        await postGenerate(gateway, JSON.stringify(value) ?? 'null')
      }),
      runs(150),
    )
    expectQuietLogs(gateway)
  })

  it('answers raw bodies (invalid JSON, duplicate keys, prototype keys, deep nesting) with 202 or a 4xx', async () => {
    const gateway = await harness.openGateway()
    const duplicateKeys = fc
      .tuple(fc.json(), fc.json())
      .map(([a, b]) => `{"prompt":${a},"prompt":${b},"negative":"x","negative":${a}}`)
    const prototypeKeys = fc
      .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.json())
      .map(([key, value]) => `{"prompt":"a cat","${key}":${value}}`)
    const nested = fc
      .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{"prompt":'))
      .map(([depth, open]) => `${open.repeat(depth)}"x"${(open === '[' ? ']' : '}').repeat(depth)}`)
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json(),
      duplicateKeys,
      prototypeKeys,
      nested,
    )
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        await postGenerate(gateway, text)
      }),
      runs(150),
    )
    expectQuietLogs(gateway)
  })

  it('answers bodies near the 64 KiB limit with 400 or 413, never more', async () => {
    const gateway = await harness.openGateway()
    const size = fc.integer({ min: BODY_LIMIT - 2048, max: BODY_LIMIT + 2048 })
    const filler = fc.constantFrom('x', '\u{1F600}', 'é', '\\u0000', ' ')
    await fc.assert(
      fc.asyncProperty(size, filler, fieldName(), async (bytes, unit, field) => {
        const text = JSON.stringify({ [field]: '' }).replace(
          '""',
          `"${unit.repeat(Math.ceil(bytes / unit.length))}"`,
        )
        const status = await postGenerate(gateway, text)
        expect([400, 413]).toContain(status)
        if (Buffer.byteLength(text) > BODY_LIMIT) expect(status).toBe(413)
      }),
      runs(20),
    )
    expectQuietLogs(gateway)
  })

  it('answers any content type and any Prefer, Accept or request id header without a 5xx', async () => {
    const gateway = await harness.openGateway()
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
      ),
      fc.constantFrom(
        'application/json; charset=latin1',
        'application/vnd.api+json',
        'multipart/form-data; boundary=x',
        '',
      ),
      headerValue(),
    )
    await fc.assert(
      fc.asyncProperty(
        contentType,
        fc.oneof(headerValue(), fc.constant('respond-async')),
        fc.oneof(headerValue(), fc.constantFrom('application/json', '*/*', 'image/*')),
        headerValue(),
        fc.oneof(generateBody(), fc.constant({ prompt: 'a cat' })),
        async (type, prefer, accept, requestId, body) => {
          // No Prefer means "wait for the image": keep it at wait=0 unless the header says otherwise.
          const headers = {
            'content-type': type,
            prefer: prefer || 'respond-async',
            accept,
            'x-request-id': requestId,
          }
          await postGenerate(gateway, JSON.stringify(body), headers)
        },
      ),
      runs(100),
    )
    expectQuietLogs(gateway)
  })
})

describe('/api/jobs/:id', () => {
  const randomId = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.uuid().map((id) => id.toUpperCase()),
    fc.uuid(),
    fc.constantFrom('..', '.', '%2e%2e', 'null', 'undefined', '__proto__', 'constructor'),
  )

  it('answers random ids on GET, DELETE, /image and /events with a documented 4xx', async () => {
    const gateway = await harness.openGateway()
    const route = fc.constantFrom(['GET', ''], ['DELETE', ''], ['GET', '/image'], ['GET', '/events'])
    await fc.assert(
      fc.asyncProperty(randomId, route, async (id, [method, suffix]) => {
        const url = `${gateway.url}/api/jobs/${encodeURIComponent(id)}${suffix}`
        const response = await fetch(url, { method })
        const text = await response.text()
        expectDocumentedClientError(response.status, text, `${method} ${url}`)
      }),
      runs(150),
    )
    expect(harness.emulator.counters.statusRequests).toBe(0)
    expectQuietLogs(gateway)
  })

  it.each([
    ['a "../" id', '/api/jobs/..%2F..%2Fstatus'],
    ['a raw "../" path', '/api/jobs/../../api/status/x'],
    ['a "%2F" id', '/api/jobs/abc%2Fdef'],
    ['a double-encoded id', '/api/jobs/%252e%252e%252fstatus'],
    ['a newline in the id', `/api/jobs/${randomUUID()}%0A`],
    ['a CRLF and a header in the id', `/api/jobs/${randomUUID()}%0D%0AX-Injected:%201`],
    ['a NUL in the id', `/api/jobs/${randomUUID()}%00`],
    ['a query in the id', `/api/jobs/${randomUUID()}%3Fids%3Dx`],
    ['an id with a space', '/api/jobs/a%20b'],
  ])('refuses %s with 400 or 404 and sends the upstream nothing', async (_name, path) => {
    const gateway = await harness.openGateway()
    for (const [method, suffix] of [
      ['GET', ''],
      ['DELETE', ''],
      ['GET', '/image'],
      ['GET', '/events'],
    ]) {
      const answer = await rawRequest(gateway.url, `${method} ${path}${suffix} HTTP/1.1`)
      expect([400, 404]).toContain(answer.status)
      expectDocumentedClientError(answer.status, answer.text, `${method} ${path}${suffix}`)
    }
    expect(harness.emulator.counters.requestsByPath).toEqual({})
    expectQuietLogs(gateway)
  })

  it('answers raw paths of random bytes, bad percent-encoding and over-long segments with our 4xx', async () => {
    const gateway = await harness.openGateway()
    const byte = fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`)
    const segment = fc.oneof(
      fc
        .array(fc.oneof(byte, fc.constantFrom('%', '%e', '%zz', '%E0%A4', '..', '/', 'a')), { maxLength: 12 })
        .map((parts) => parts.join('')),
      fc.integer({ min: 4990, max: 5100 }).map((n) => 'a'.repeat(n)),
    )
    const prefix = fc.constantFrom('/api/jobs/', '/v1/models/', '/trpc/', '/api/')
    const suffix = fc.constantFrom('', '/image', '/events')
    await fc.assert(
      fc.asyncProperty(prefix, segment, suffix, async (start, middle, end) => {
        const path = `${start}${middle}${end}`
        const answer = await rawRequest(gateway.url, `GET ${path} HTTP/1.1`)
        const context = `GET ${path.slice(0, 200)}`
        if (answer.status === 200) return // /trpc/<a procedure name>, or /v1/models/akashgen by chance
        if (start === '/v1/models/') {
          expect(answer.status, context).toBeLessThan(500)
          expect(JSON.parse(answer.text), context).toMatchObject({ error: { type: 'invalid_request_error' } })
        } else if (start === '/trpc/' && !answer.text.startsWith('{"error":"')) {
          expect(answer.status, context).toBeLessThan(500)
          expect(answer.text, context).not.toContain('INTERNAL_SERVER_ERROR')
        } else {
          expectDocumentedClientError(answer.status, answer.text, context)
        }
      }),
      runs(100),
    )
    expect(harness.emulator.counters.requestsByPath).toEqual({})
    expectQuietLogs(gateway)
  })

  // Found by the property above: Fastify answered these itself ({error, code: FST_ERR_..., statusCode}, 414).
  it.each([
    ['bad percent-encoding', '/api/jobs/%E0%A4%A', 'the URL path is not valid percent-encoded UTF-8'],
    ['a lone %', '/api/jobs/%', 'the URL path is not valid percent-encoded UTF-8'],
    ['a segment over maxParamLength', `/api/jobs/${'a'.repeat(6000)}`, 'a part of the URL path is too long'],
    ['a tRPC batch path over maxParamLength', `/trpc/${'health,'.repeat(1000)}health?batch=1`, 'too long'],
  ])('answers %s with 400 INVALID_REQUEST in our error body', async (_name, path, message) => {
    const gateway = await harness.openGateway()
    const answer = await rawRequest(gateway.url, `GET ${path} HTTP/1.1`)
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.text)).toMatchObject({
      code: 'INVALID_REQUEST',
      error: expect.stringContaining(message),
    })
  })

  it('answers a bad URL under /v1 in the OpenAI shape', async () => {
    const gateway = await harness.openGateway()
    const answer = await rawRequest(gateway.url, 'GET /v1/models/%E0 HTTP/1.1')
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.text)).toEqual({
      error: {
        message: 'invalid request: the URL path is not valid percent-encoded UTF-8',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request',
      },
    })
  })

  it('answers random Last-Event-ID headers and ?lastEventId= on a real job with its events or a 400', async () => {
    const gateway = await harness.openGateway()
    const accepted = await fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ prompt: 'a job to follow' }),
    })
    const jobId = accepted.headers.get('x-job-id') ?? ''
    await accepted.arrayBuffer()
    // Final, so every stream replays what it has and ends.
    await (await fetch(`${gateway.url}/api/jobs/${jobId}`, { method: 'DELETE' })).arrayBuffer()
    const eventId = fc.oneof(
      headerValue(),
      fc.nat().map(String),
      fc.constantFrom('0', '-1', '1.5', '1e3', '9'.repeat(30), ' 1', '0x10', ''),
    )
    await fc.assert(
      fc.asyncProperty(eventId, fc.option(nastyText(10)), async (header, query) => {
        const url = new URL(`${gateway.url}/api/jobs/${jobId}/events`)
        if (query !== null) url.searchParams.append('lastEventId', query)
        const response = await fetch(url, {
          headers: { 'last-event-id': header },
          signal: AbortSignal.timeout(5_000),
        })
        const text = await response.text()
        if (response.status === 200)
          expect(response.headers.get('content-type')).toContain('text/event-stream')
        else expectDocumentedClientError(response.status, text, `events ${header} ${url.search}`)
      }),
      runs(100),
    )
    expectQuietLogs(gateway)
  })

  // Found while fuzzing: a repeated query parameter reached the caller as zod's "expected string, received array".
  it('names lastEventId when the query gives it twice', async () => {
    const gateway = await harness.openGateway()
    const response = await fetch(`${gateway.url}/api/jobs/${randomUUID()}/events?lastEventId=1&lastEventId=2`)
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { fieldErrors: { lastEventId: ['lastEventId must be an event id (digits), given once'] } },
    })
  })
})
