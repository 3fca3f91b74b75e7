import { randomUUID } from 'node:crypto'
import {
  characterCount,
  GenerateInput,
  JobEventsInput,
  JobIdInput,
  MAX_PROMPT_LENGTH,
} from '@akashgen/contract'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseCommandLine, UsageError } from '../../client/cli/args.ts'

/** The messages of a refused value, per field and for the whole; fails the test when it was accepted. */
function problems(
  schema: z.ZodType,
  value: unknown,
): { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } {
  const result = schema.safeParse(value)
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be refused`)
  return z.flattenError(result.error)
}

const EMOJI = '\u{1F600}' // one code point, two UTF-16 units
const ASTRAL_CJK = '\u{20000}' // CJK Extension B: one code point, two UTF-16 units

describe('prompt and negative lengths count characters (code points), not UTF-16 units', () => {
  it.each([
    ['an emoji', EMOJI],
    ['an astral CJK character', ASTRAL_CJK],
    ['a BMP character', 'é'],
  ])(`accepts ${MAX_PROMPT_LENGTH} of %s and refuses one more`, (_name, char) => {
    const full = char.repeat(MAX_PROMPT_LENGTH)
    expect(characterCount(full)).toBe(MAX_PROMPT_LENGTH)
    expect(GenerateInput.parse({ prompt: full, negative: full })).toMatchObject({
      prompt: full,
      negative: full,
    })
    const over = full + char
    expect(problems(GenerateInput, { prompt: over, negative: over }).fieldErrors).toEqual({
      prompt: ['prompt must be at most 2000 characters'],
      negative: ['negative must be at most 2000 characters'],
    })
  })

  it('counts after NFC: "e" + a combining acute is one character, sent composed', () => {
    const decomposed = 'e\u0301'.repeat(MAX_PROMPT_LENGTH)
    expect(decomposed.length).toBe(2 * MAX_PROMPT_LENGTH)
    const { prompt } = GenerateInput.parse({ prompt: decomposed })
    expect(prompt).toBe('\u00e9'.repeat(MAX_PROMPT_LENGTH))
  })

  it('keeps a prompt already in NFC unchanged, including emoji sequences', () => {
    const prompt = 'a family 👨‍👩‍👧 in Kraków, 東京 at night'
    expect(GenerateInput.parse({ prompt }).prompt).toBe(prompt)
  })
})

describe('control characters and unpaired surrogates are refused, naming the field and the code point', () => {
  it.each([
    ['NUL', '\u0000', 'U+0000'],
    ['BEL', '\u0007', 'U+0007'],
    ['ESC', '\u001b', 'U+001B'],
    ['vertical tab', '\u000b', 'U+000B'],
    ['form feed', '\u000c', 'U+000C'],
    ['DEL', '\u007f', 'U+007F'],
    ['NEL (C1)', '\u0085', 'U+0085'],
    ['CSI (C1)', '\u009b', 'U+009B'],
  ])('%s', (_name, char, codePoint) => {
    expect(problems(GenerateInput, { prompt: `a${EMOJI}b${char}c` }).fieldErrors.prompt).toEqual([
      `prompt contains the control character ${codePoint} at character 4: only tab, line feed and carriage return are allowed`,
    ])
    expect(problems(GenerateInput, { prompt: 'a', negative: char }).fieldErrors.negative?.[0]).toContain(
      `negative contains the control character ${codePoint} at character 1:`,
    )
  })

  it('refuses them at the edges too, where trimming would otherwise hide them', () => {
    expect(problems(GenerateInput, { prompt: 'a cat\u000b' }).fieldErrors.prompt?.[0]).toContain('U+000B')
  })

  it.each([
    ['a lone high surrogate', 'a\ud83d', 'U+D83D', 2],
    ['a lone low surrogate', `${EMOJI}\ude00`, 'U+DE00', 2],
    ['reversed halves', '\ude00\ud83d', 'U+DE00', 1],
  ])('refuses %s', (_name, prompt, codePoint, position) => {
    expect(problems(GenerateInput, { prompt }).fieldErrors.prompt).toEqual([
      `prompt contains an unpaired surrogate ${codePoint} at character ${position}: it must be valid Unicode`,
    ])
  })

  it('allows tab, line feed and carriage return inside a prompt', () => {
    expect(GenerateInput.parse({ prompt: 'a cat\tin\r\nthe rain' }).prompt).toBe('a cat\tin\r\nthe rain')
  })

  it('allows format characters such as zero-width joiners and bidi marks', () => {
    const prompt = 'שלום \u200f world \u200d'
    expect(GenerateInput.parse({ prompt }).prompt).toBe(prompt.trim())
  })
})

describe('error messages quote at most 60 characters of a bad value', () => {
  it('an unknown sampler', () => {
    const message = problems(GenerateInput, { prompt: 'a', sampler: 'x'.repeat(10_000) }).fieldErrors
      .sampler?.[0]
    expect(message).toContain(`unknown sampler "${'x'.repeat(60)}…"`)
    expect(message?.length).toBeLessThan(1000)
  })

  it('an unknown field', () => {
    const [message] = problems(GenerateInput, { prompt: 'a', ['k'.repeat(500)]: 1 }).formErrors
    expect(message).toMatch(/^unknown field "k{60}…"/)
  })
})

describe('job ids are UUIDs, as the gateway issues them', () => {
  it('accepts what randomUUID makes', () => {
    const jobId = randomUUID()
    expect(JobIdInput.parse({ jobId })).toEqual({ jobId })
    expect(JobEventsInput.parse({ jobId, lastEventId: '12' })).toEqual({ jobId, lastEventId: '12' })
  })

  it.each([
    '../etc/passwd',
    '..%2F..%2Fstatus',
    `${randomUUID()}\n`,
    `${randomUUID()}/../x`,
    `${randomUUID()}?ids=x`,
    '3f1c2a9e00004000800000000000000',
    'job-1',
    '',
  ])('refuses %j', (jobId) => {
    expect(problems(JobIdInput, { jobId }).fieldErrors.jobId).toEqual([
      'jobId must be a job id as the gateway issues them: a UUID',
    ])
  })

  it('refuses unknown fields in jobStatus and jobEvents inputs', () => {
    const jobId = randomUUID()
    expect(problems(JobIdInput, { jobId, id: jobId }).formErrors).toEqual(['unknown field "id"'])
    expect(problems(JobEventsInput, { jobId, since: '1' }).formErrors).toEqual(['unknown field "since"'])
  })

  it('names lastEventId when a query gives it twice (an array), instead of zod\'s "expected string"', () => {
    expect(problems(JobEventsInput, { jobId: randomUUID(), lastEventId: ['1', '2'] }).fieldErrors).toEqual({
      lastEventId: ['lastEventId must be an event id (digits), given once'],
    })
  })

  it.each(['x', '-1', '1e3', '1234567890', ' 1'])('refuses the lastEventId %j', (lastEventId) => {
    expect(
      problems(JobEventsInput, { jobId: randomUUID(), lastEventId }).fieldErrors.lastEventId,
    ).toBeDefined()
  })
})

describe("the CLI's own check before it sends anything", () => {
  it('refuses a control character with the message the gateway would give', () => {
    const message =
      'invalid request: prompt contains the control character U+001B at character 6: only tab, line feed and carriage return are allowed'
    expect(() => parseCommandLine(['a cat\u001b[31m red'], {})).toThrow(new UsageError(message))
  })

  it(`accepts ${MAX_PROMPT_LENGTH} emoji`, () => {
    expect(parseCommandLine([EMOJI.repeat(MAX_PROMPT_LENGTH)], {})).toMatchObject({ kind: 'generate' })
  })
})
