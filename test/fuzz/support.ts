/** What every fuzz file shares: bounded, seeded runs; a watch for crashes; checks on error bodies and logs. */
import { connect } from 'node:net'
import { ERROR_CODES, ErrorBody } from '@akashgen/contract'
import fc from 'fast-check'
import { afterAll, beforeAll, expect } from 'vitest'

/**
 * The seed of every property: fixed, so a run is reproducible and CI does not flake; `FUZZ_SEED=<n>` explores
 * other inputs, `FUZZ_RUNS=<factor>` multiplies every property's runs. fast-check prints the seed and the
 * counterexample's path when a property fails, so a failure found with another seed can be replayed.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_126)
const FACTOR = Number(process.env.FUZZ_RUNS ?? 1)

/** fast-check parameters for a property of `numRuns` runs (scaled by FUZZ_RUNS). */
export function runs(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * FACTOR)), endOnFailure: true }
}

/**
 * Records every unhandled rejection and uncaught exception while this file runs, and fails the file in
 * `afterAll` when there was any. vitest would report them too, but only after the run and without saying
 * which input caused them; a listener also keeps the test process alive to report the rest.
 */
export function watchForCrashes(): { readonly crashes: unknown[] } {
  const crashes: unknown[] = []
  const record = (error: unknown) => {
    crashes.push(error)
  }
  beforeAll(() => {
    process.on('unhandledRejection', record)
    process.on('uncaughtException', record)
  })
  afterAll(() => {
    process.off('unhandledRejection', record)
    process.off('uncaughtException', record)
    expect(crashes).toEqual([])
  })
  return { crashes }
}

/** Log lines at error level or above (pino's 50+), e.g. an INTERNAL error; a fuzz run must leave none. */
export function errorLines(logs: Record<string, unknown>[]): Record<string, unknown>[] {
  return logs.filter((line) => typeof line.level === 'number' && line.level >= 50)
}

/**
 * Asserts a REST answer is a documented 4xx: our error body, a known code, the status of that code. 5xx is
 * never an answer to a caller's input (the upstream is healthy in these tests).
 */
export function expectDocumentedClientError(status: number, text: string, context: string): ErrorBody {
  expect(status, context).toBeGreaterThanOrEqual(400)
  expect(status, context).toBeLessThan(500)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new Error(`${context}: a ${status} whose body is not JSON: ${text.slice(0, 200)}`)
  }
  const parsed = ErrorBody.safeParse(body)
  expect(parsed.success, `${context}: ${text.slice(0, 300)}`).toBe(true)
  const error = parsed.data as ErrorBody
  expect(ERROR_CODES[error.code].status, context).toBe(status)
  return error
}

/** The status line and the rest of a raw HTTP/1.1 exchange. */
export interface RawAnswer {
  status: number
  text: string
}

/**
 * Sends `head` (request line and headers, without the final blank line) and `body` exactly as given over a
 * socket, for what fetch would normalise or refuse (`..` segments, raw `%2F`, bytes in the path).
 */
export function rawRequest(url: string, head: string, body = ''): Promise<RawAnswer> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer to ${head.split('\r\n')[0]}`)))
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
      resolve({ status, text: text.slice(text.indexOf('\r\n\r\n') + 4) })
    })
    const length = Buffer.byteLength(body)
    socket.end(
      `${head}\r\nhost: ${hostname}\r\nconnection: close\r\ncontent-length: ${length}\r\n\r\n${body}`,
    )
  })
}

/** JSON values with the nasty bits a body parser and a contract meet: prototype keys, deep nesting, unicode. */
export const jsonValue = (): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(null, true, false, 0, -1, 1e308, -0, '', '__proto__'),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fieldName(), tie('value'), { maxKeys: 5 }),
    ),
  })).value

/** Object keys: the contract's own fields most of the time, or prototype-pollution keys, or anything. */
export const fieldName = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('prompt', 'negative', 'sampler', 'scheduler'),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'jobId', 'json'),
    fc.string({ maxLength: 12 }),
  )

/** Text with control characters, lone surrogates, combining marks and emoji mixed in. */
export const nastyText = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 8 }),
        fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\t', '\n', '\r', '\u000b'),
        fc.constantFrom('\ud800', '\udfff', '\u{1F600}', 'e\u0301', '\u200d', '\u202e', '\ufeff', ' '),
      ),
      { maxLength },
    )
    .map((parts) => parts.join(''))

/** A generate body that is often valid and often wrong in one field, with known field names. */
export const generateBody = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      prompt: fc.oneof(nastyText(), jsonValue(), fc.constant('a lighthouse at dawn')),
      negative: fc.oneof(nastyText(), jsonValue()),
      sampler: fc.oneof(
        fc.constantFrom('euler', 'DPM++ 2M Karras', 'eUlEr A', '', ' '),
        nastyText(8),
        jsonValue(),
      ),
      scheduler: fc.oneof(fc.constantFrom('karras', 'NORMAL', ''), nastyText(8), jsonValue()),
    },
    { requiredKeys: [] },
  )
