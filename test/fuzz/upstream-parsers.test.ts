// The parsers of what the upstream sends: anything at all in, a parsed value or a documented GatewayError out.

import { validateHeaderValue } from 'node:http'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../server/errors.ts'
import { headerValue } from '../../server/http/header-value.ts'
import { SNIFF_BYTES, sniffImageType } from '../../server/upstream/image-body.ts'
import { resolveImageReference } from '../../server/upstream/image-reference.ts'
import {
  CONTROL_CHARACTERS,
  MAX_FAILURE_REASON_CHARS,
  MAX_STATUS_WORD_CHARS,
  MAX_UPSTREAM_JOB_ID_CHARS,
  MAX_WORKER_FIELD_CHARS,
  TRUNCATION_MARKER,
  upstreamText,
} from '../../server/upstream/limits.ts'
import { readJson, statusError } from '../../server/upstream/request.ts'
import {
  classifyStatus,
  parseJobState,
  parseStatusAnswer,
  type UpstreamJobState,
} from '../../server/upstream/status.ts'
import { jsonValue, nastyText, runs, watchForCrashes } from './support.ts'

watchForCrashes()

const ORIGIN = new URL('https://gen.akash.network')
const ALLOWED = ['https://cdn.akash.network']
const PHASES = ['waiting', 'running', 'succeeded', 'failed', 'unknown']

/** Anything the upstream might send after JSON decoding, and anything a bug upstream of the parser could pass. */
const anyBody = fc.oneof(
  jsonValue(),
  fc.anything({ withObjectString: true, withNullPrototype: true }),
  nastyText(),
)

/** A long string of nasty pieces, up to a few times each limit. */
const longText = fc
  .tuple(nastyText(12), fc.integer({ min: 1, max: 5000 }))
  .map(([piece, times]) => (piece || 'x').repeat(times).slice(0, 20_000))

/** A status element: the known fields with random values, often close to what the upstream sends. */
const statusElement = fc.record(
  {
    job_id: fc.oneof(fc.uuid(), jsonValue(), longText),
    id: jsonValue(),
    status: fc.oneof(
      fc.constantFrom('pending', 'succeeded', 'failed', 'constructor', '__proto__', ' Queued '),
      jsonValue(),
      longText,
    ),
    result: fc.oneof(nastyText(), jsonValue(), longText),
    queue_position: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom('3', '-1', 'NaN', '1e400'),
      jsonValue(),
    ),
    elapsed_time: fc.oneof(fc.double(), fc.constantFrom('4.2', 'Infinity'), jsonValue()),
    worker_name: fc.oneof(jsonValue(), longText),
    worker_gpu: fc.oneof(jsonValue(), longText),
  },
  { requiredKeys: [] },
)

/** Checks one parsed job: every field of the type it promises, numbers finite and not negative. */
function expectWellFormed(state: UpstreamJobState): void {
  expect(typeof state.jobId).toBe('string')
  expect(state.jobId).not.toBe('')
  expect(PHASES).toContain(state.phase)
  expect(typeof state.rawStatus).toBe('string')
  expect(typeof state.result).toBe('string')
  expect(Number.isInteger(state.queuePosition) && state.queuePosition >= 0).toBe(true)
  expect(Number.isFinite(state.elapsedS) && state.elapsedS >= 0).toBe(true)
  if (state.worker) for (const value of Object.values(state.worker)) expect(typeof value).toBe('string')
  // Every string is bounded before anything keeps it (server/upstream/limits.ts).
  expect(state.jobId.length).toBeLessThanOrEqual(MAX_UPSTREAM_JOB_ID_CHARS)
  expect(state.rawStatus.length).toBeLessThanOrEqual(MAX_STATUS_WORD_CHARS)
  if (state.phase === 'failed') expect(state.result.length).toBeLessThanOrEqual(MAX_FAILURE_REASON_CHARS)
  for (const value of Object.values(state.worker ?? {}))
    expect(value.length).toBeLessThanOrEqual(MAX_WORKER_FIELD_CHARS)
}

/** Runs `fn`; anything it throws must be a GatewayError with one of `codes`. */
function expectOnlyGatewayErrors(fn: () => unknown, codes: string[]): unknown {
  try {
    return fn()
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError)
    expect(codes).toContain((error as GatewayError).code)
    return undefined
  }
}

describe('status answers', () => {
  it('parseStatusAnswer never throws and yields only well-formed jobs, whatever the body', () => {
    const body = fc.oneof(
      anyBody,
      fc.array(statusElement, { maxLength: 4 }),
      fc.record({ statuses: fc.oneof(fc.array(statusElement, { maxLength: 4 }), jsonValue()) }),
      statusElement,
      fc.dictionary(
        fc.oneof(fc.uuid(), fc.constantFrom('__proto__', 'constructor', 'toString')),
        statusElement,
        { maxKeys: 3 },
      ),
    )
    fc.assert(
      fc.property(body, (value) => {
        const answer = parseStatusAnswer(value)
        if (answer === undefined) return
        expect(['array', 'keyed', 'statuses', 'bare', 'not-found-string']).toContain(answer.shape)
        for (const [id, state] of answer.jobs) {
          expect(id).toBe(state.jobId)
          expectWellFormed(state)
        }
      }),
      runs(2000),
    )
  })

  it('parseJobState and classifyStatus never throw', () => {
    fc.assert(
      fc.property(anyBody, fc.option(fc.string()), fc.string(), (value, fallbackId, word) => {
        const state = parseJobState(value, fallbackId ?? undefined)
        if (state) expectWellFormed(state)
        expect(PHASES).toContain(classifyStatus(word))
      }),
      runs(2000),
    )
  })
})

describe('upstream strings and header values', () => {
  it('upstreamText is bounded, free of control characters and well-formed, and says when it cut', () => {
    fc.assert(
      fc.property(fc.oneof(nastyText(), longText), fc.integer({ min: 20, max: 2000 }), (text, max) => {
        const kept = upstreamText(text, max)
        expect(kept.length).toBeLessThanOrEqual(max)
        expect(kept).not.toMatch(new RegExp(CONTROL_CHARACTERS.source))
        expect(kept).not.toMatch(/\p{Cs}/u)
        // Removing control characters alone is no cut; dropping text (or not reading it) is, and says so.
        const cleaned = text.replace(CONTROL_CHARACTERS, '')
        if (cleaned.length > max || text.length > 4 * max) expect(kept.endsWith(TRUNCATION_MARKER)).toBe(true)
        else expect(kept).toBe(cleaned.replace(/\p{Cs}/gu, '\ufffd'))
      }),
      runs(2000),
    )
  })

  it('headerValue is always a valid header value, and decodes back to the trimmed text', () => {
    fc.assert(
      fc.property(fc.oneof(nastyText(), fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
        const value = headerValue(text)
        expect(() => validateHeaderValue('x-worker-gpu', value)).not.toThrow()
        expect(value).toMatch(/^[\x20-\x7e]*$/)
        expect(decodeURIComponent(value)).toBe(text.replace(/\p{Cs}/gu, '\ufffd').trim())
      }),
      runs(2000),
    )
  })
})

describe('image references', () => {
  const base64 = fc.base64String({ maxLength: 200 })
  const host = fc.constantFrom(
    'gen.akash.network',
    'cdn.akash.network',
    'evil.example',
    '127.0.0.1',
    '[::1]',
    'gen.akash.network.evil.example',
  )
  const reference = fc.oneof(
    nastyText(30),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc
      .tuple(
        fc.constantFrom(
          'data:image/png;base64,',
          'data:image/webp;base64,',
          'DATA:IMAGE/X;BASE64,',
          'data:text/html;base64,',
        ),
        base64,
      )
      .map(([a, b]) => a + b),
    fc
      .tuple(
        fc.constantFrom('/', '//', '/\\', '\\\\', '/%2F', '/..//', '/_next/image?url=', ' /'),
        nastyText(20),
      )
      .map(([a, b]) => a + b),
    fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTPS://', 'https://user:pw@', 'https://gen.akash.network@'),
        host,
        fc.webPath(),
      )
      .map(([scheme, h, path]) => scheme + h + path),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
  )

  it('resolve to inline bytes under the cap or URLs on allowed origins, or throw UPSTREAM_ERROR', () => {
    const maxBytes = 100
    fc.assert(
      fc.property(reference, (result) => {
        const source = expectOnlyGatewayErrors(
          () => resolveImageReference(result, ORIGIN, ALLOWED, maxBytes),
          ['UPSTREAM_ERROR'],
        ) as ReturnType<typeof resolveImageReference> | undefined
        if (!source) return
        if (source.kind === 'inline') {
          expect(source.bytes.byteLength).toBeLessThanOrEqual(maxBytes)
          return
        }
        expect(source.urls.length).toBeGreaterThan(0)
        for (const url of source.urls) {
          expect([ORIGIN.origin, ...ALLOWED]).toContain(url.origin)
          expect(url.username + url.password).toBe('')
        }
      }),
      runs(3000),
    )
  })
})

describe('image bytes and upstream errors', () => {
  it('sniffImageType never throws, on any bytes of any length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: SNIFF_BYTES * 2 }), (bytes) => {
        expect([undefined, 'image/webp', 'image/png', 'image/jpeg', 'image/gif']).toContain(
          sniffImageType(bytes),
        )
      }),
      runs(2000),
    )
  })

  it('statusError makes UPSTREAM_ERROR with a Retry-After a caller can use, whatever the body and header', () => {
    const retryAfter = fc.oneof(
      fc.constantFrom(
        null,
        undefined,
        '',
        '0',
        '-5',
        '0.5',
        '1e400',
        '1e30',
        'Wed, 21 Oct 2015 07:28:00 GMT',
        ' 7 ',
      ),
      fc.integer().map(String),
      fc.double().map(String),
      fc.string({ maxLength: 10 }),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.oneof(fc.json(), fc.string()),
        retryAfter,
        (status, body, header) => {
          const error = statusError('submit', status, body, header)
          expect(error).toBeInstanceOf(GatewayError)
          expect(error.code).toBe('UPSTREAM_ERROR')
          if (error.retryAfterS !== undefined) {
            expect(Number.isInteger(error.retryAfterS), `Retry-After ${header}`).toBe(true)
            expect(error.retryAfterS).toBeGreaterThanOrEqual(1)
            expect(error.retryAfterS).toBeLessThanOrEqual(3600)
          }
          expect(() => JSON.stringify(error.toBody())).not.toThrow()
        },
      ),
      runs(2000),
    )
  })

  // Found by the property above: `Retry-After: 3.097065792677416e+197` reached callers as it was.
  it.each([
    ['3.097065792677416e+197', undefined],
    ['1e30', undefined],
    ['0.5', undefined],
    ['0', undefined],
    ['-5', undefined],
    ['Wed, 21 Oct 2015 07:28:00 GMT', undefined],
    [' 7 ', 7],
    ['99999', 3600],
  ])('statusError reads Retry-After %j as %j seconds', (header, seconds) => {
    expect(statusError('submit', 429, '', header).retryAfterS).toBe(seconds)
  })

  it('readJson refuses any body over its cap, compressed or not, and parses the rest', async () => {
    const maxBytes = 64
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.json(), fc.string({ maxLength: 200 })),
        fc.boolean(),
        async (body, gzip) => {
          // A gzip body is what fetch would hand over after decompressing: the cap counts those bytes.
          const raw = gzip ? gzipSync(body) : Buffer.from(body)
          const stream = new Blob([raw]).stream()
          const response = new Response(gzip ? stream.pipeThrough(new DecompressionStream('gzip')) : stream)
          try {
            await readJson('status', response, maxBytes)
            expect(Buffer.byteLength(body)).toBeLessThanOrEqual(maxBytes)
          } catch (error) {
            expect(error).toBeInstanceOf(GatewayError)
            expect((error as GatewayError).code).toBe('UPSTREAM_ERROR')
            const over = Buffer.byteLength(body) > maxBytes
            expect((error as GatewayError).details).toMatchObject(
              over ? { maxBytes } : { operation: 'status' },
            )
          }
        },
      ),
      runs(1000),
    )
  })

  it('readJson answers parsed JSON or UPSTREAM_ERROR, whatever the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string({ unit: 'binary' }), fc.string()), async (body) => {
        try {
          await readJson('status', new Response(body))
        } catch (error) {
          expect(error).toBeInstanceOf(GatewayError)
          expect((error as GatewayError).code).toBe('UPSTREAM_ERROR')
        }
      }),
      runs(1000),
    )
  })
})
