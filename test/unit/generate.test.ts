import {
  DEFAULT_SAMPLER,
  DEFAULT_SCHEDULER,
  GenerateInput,
  MAX_PROMPT_LENGTH,
  SAMPLER_ALIASES,
  SAMPLERS,
  SCHEDULERS,
} from '@akashgen/contract'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

/** The `preferred_gpu` list AkashGen's clients send, as docs/upstream-akashgen.md gives it: the default. */
const UPSTREAM_DOC_GPUS = ['RTX4090', 'A10', 'A100', 'V100-32Gi', 'H100']

/** The AUTOMATIC1111 alias table of docs/upstream-akashgen.md, written out again so the code is checked against it. */
const DOC_ALIASES: [alias: string, sampler: string, scheduler: string][] = [
  ['DPM++ 2M Karras', 'dpmpp_2m', 'karras'],
  ['DPM++ 2M', 'dpmpp_2m', 'normal'],
  ['DPM++ SDE Karras', 'dpmpp_sde', 'karras'],
  ['DPM++ 2M SDE Karras', 'dpmpp_2m_sde', 'karras'],
  ['DPM++ 2M SDE Exponential', 'dpmpp_2m_sde', 'exponential'],
  ['Euler a', 'euler_ancestral', 'normal'],
  ['Euler', 'euler', 'normal'],
  ['LMS', 'lms', 'normal'],
  ['Heun', 'heun', 'normal'],
  ['DPM2', 'dpm_2', 'normal'],
  ['DPM2 a', 'dpm_2_ancestral', 'normal'],
  ['UniPC', 'uni_pc', 'normal'],
  ['DDIM', 'ddim', 'ddim_uniform'],
]

const parse = (body: unknown) => GenerateInput.parse(body)

/** "Euler a" -> "eUlEr A": a spelling no table holds, so only case-insensitive matching can find it. */
const alternateCase = (s: string) =>
  [...s].map((c, i) => (i % 2 === 0 ? c.toLowerCase() : c.toUpperCase())).join('')

/** The field errors of a refused body; fails the test when the body was accepted. */
function fieldErrors(body: unknown) {
  const result = GenerateInput.safeParse(body)
  if (result.success) throw new Error(`expected ${JSON.stringify(body)} to be refused`)
  return z.flattenError(result.error)
}

describe('GenerateInput', () => {
  describe('AUTOMATIC1111 sampler aliases', () => {
    it('has exactly the aliases of the documented table', () => {
      expect(Object.keys(SAMPLER_ALIASES).sort()).toEqual(DOC_ALIASES.map(([alias]) => alias).sort())
    })

    it.each(DOC_ALIASES)('maps "%s" to %s + %s', (alias, sampler, scheduler) => {
      expect(parse({ prompt: 'a cat', sampler: alias })).toMatchObject({ sampler, scheduler })
    })

    it.each(DOC_ALIASES)(
      'matches "%s" in any case and with surrounding spaces',
      (alias, sampler, scheduler) => {
        expect(parse({ prompt: 'a cat', sampler: `  ${alias.toUpperCase()}\t` })).toMatchObject({
          sampler,
          scheduler,
        })
        expect(parse({ prompt: 'a cat', sampler: alternateCase(alias) })).toMatchObject({
          sampler,
          scheduler,
        })
      },
    )

    it.each([
      ['euler', 'Euler'],
      ['heun', 'Heun'],
      ['lms', 'LMS'],
      ['ddim', 'DDIM'],
    ])('reads the exact ComfyUI name %s as itself, not as the alias %s', (name, alias) => {
      expect(parse({ prompt: 'a cat', sampler: ` ${name} ` })).toMatchObject({
        sampler: name,
        scheduler: 'sgm_uniform',
      })
      expect(parse({ prompt: 'a cat', sampler: alias }).scheduler).not.toBe('sgm_uniform')
    })
  })

  describe('sampler and scheduler names', () => {
    it.each(SAMPLERS)('accepts the ComfyUI sampler %s with the default scheduler', (sampler) => {
      expect(parse({ prompt: 'a cat', sampler })).toMatchObject({ sampler, scheduler: DEFAULT_SCHEDULER })
    })

    it.each(SCHEDULERS)('accepts the ComfyUI scheduler %s with the default sampler', (scheduler) => {
      expect(parse({ prompt: 'a cat', scheduler })).toMatchObject({ sampler: DEFAULT_SAMPLER, scheduler })
    })

    it('matches ComfyUI names case-insensitively and trimmed', () => {
      expect(parse({ prompt: 'a cat', sampler: ' Euler_Ancestral ', scheduler: '\tKARRAS ' })).toMatchObject({
        sampler: 'euler_ancestral',
        scheduler: 'karras',
      })
    })

    it('sends dpmpp_2m + sgm_uniform when the request names neither', () => {
      expect(DEFAULT_SAMPLER).toBe('dpmpp_2m')
      expect(DEFAULT_SCHEDULER).toBe('sgm_uniform')
      expect(parse({ prompt: 'a cat' })).toEqual({
        prompt: 'a cat',
        negative: '',
        sampler: 'dpmpp_2m',
        scheduler: 'sgm_uniform',
        preferredGpu: UPSTREAM_DOC_GPUS,
      })
    })

    it('treats blank sampler and scheduler strings as not given', () => {
      expect(parse({ prompt: 'a cat', sampler: '', scheduler: '  ' })).toMatchObject({
        sampler: 'dpmpp_2m',
        scheduler: 'sgm_uniform',
      })
    })
  })

  describe('which scheduler wins', () => {
    it("uses the alias's scheduler when none is given", () => {
      expect(parse({ prompt: 'a cat', sampler: 'DPM++ 2M Karras' })).toMatchObject({ scheduler: 'karras' })
    })

    it("uses the alias's scheduler when the given one is blank", () => {
      expect(parse({ prompt: 'a cat', sampler: 'DDIM', scheduler: ' ' })).toMatchObject({
        sampler: 'ddim',
        scheduler: 'ddim_uniform',
      })
    })

    it("lets an explicit scheduler override the alias's", () => {
      expect(parse({ prompt: 'a cat', sampler: 'DPM++ 2M Karras', scheduler: 'exponential' })).toMatchObject({
        sampler: 'dpmpp_2m',
        scheduler: 'exponential',
      })
      expect(parse({ prompt: 'a cat', sampler: 'DDIM', scheduler: 'Normal' })).toMatchObject({
        sampler: 'ddim',
        scheduler: 'normal',
      })
    })

    it('keeps an explicit scheduler that agrees with the alias', () => {
      expect(parse({ prompt: 'a cat', sampler: 'Euler a', scheduler: 'normal' })).toMatchObject({
        sampler: 'euler_ancestral',
        scheduler: 'normal',
      })
    })
  })

  describe('unknown names', () => {
    it('refuses an unknown sampler, naming the field and listing every allowed value', () => {
      const { fieldErrors: errors, formErrors } = fieldErrors({ prompt: 'a cat', sampler: 'DPM++ 9M Turbo' })
      expect(formErrors).toEqual([])
      expect(Object.keys(errors)).toEqual(['sampler'])
      const message = errors.sampler?.join(' ') ?? ''
      expect(message).toContain('unknown sampler "DPM++ 9M Turbo"')
      for (const name of SAMPLERS) expect(message).toContain(name)
      for (const alias of Object.keys(SAMPLER_ALIASES)) expect(message).toContain(alias)
    })

    it('refuses an unknown scheduler, naming the field and listing every allowed value', () => {
      const { fieldErrors: errors } = fieldErrors({ prompt: 'a cat', sampler: 'euler', scheduler: 'karas' })
      expect(Object.keys(errors)).toEqual(['scheduler'])
      const message = errors.scheduler?.join(' ') ?? ''
      expect(message).toContain('unknown scheduler "karas"')
      for (const name of SCHEDULERS) expect(message).toContain(name)
    })

    it('does not take an alias as a scheduler', () => {
      expect(
        fieldErrors({ prompt: 'a cat', scheduler: 'DPM++ 2M Karras' }).fieldErrors.scheduler,
      ).toBeDefined()
    })

    it('refuses a sampler that is not a string', () => {
      const message = fieldErrors({ prompt: 'a cat', sampler: 7 }).fieldErrors.sampler?.join(' ')
      expect(message).toMatch(/^sampler must be a string/)
    })
  })

  describe('prompt', () => {
    it('is trimmed', () => {
      expect(parse({ prompt: '\n  a red fox in snow  \t' }).prompt).toBe('a red fox in snow')
    })

    it('is required', () => {
      expect(fieldErrors({ negative: 'blurry' }).fieldErrors.prompt).toEqual([
        'prompt is required and must be a string',
      ])
    })

    it.each(['', '   ', '\n\t'])('is refused when blank (%j)', (prompt) => {
      expect(fieldErrors({ prompt }).fieldErrors.prompt).toEqual(['prompt must not be empty'])
    })

    it(`accepts exactly ${MAX_PROMPT_LENGTH} characters`, () => {
      expect(MAX_PROMPT_LENGTH).toBe(2000)
      expect(parse({ prompt: 'x'.repeat(2000) }).prompt).toHaveLength(2000)
    })

    it('refuses 2001 characters', () => {
      expect(fieldErrors({ prompt: 'x'.repeat(2001) }).fieldErrors.prompt).toEqual([
        'prompt must be at most 2000 characters',
      ])
    })

    it('counts the length after trimming', () => {
      expect(parse({ prompt: ` ${'x'.repeat(2000)} ` }).prompt).toHaveLength(2000)
    })
  })

  describe('negative prompt', () => {
    it('becomes an empty string when absent', () => {
      expect(parse({ prompt: 'a cat' }).negative).toBe('')
    })

    it('is kept, trimmed, when given', () => {
      expect(parse({ prompt: 'a cat', negative: '  blurry, text ' }).negative).toBe('blurry, text')
    })

    it('is capped at 2000 characters', () => {
      expect(parse({ prompt: 'a cat', negative: 'n'.repeat(2000) }).negative).toHaveLength(2000)
      expect(fieldErrors({ prompt: 'a cat', negative: 'n'.repeat(2001) }).fieldErrors.negative).toEqual([
        'negative must be at most 2000 characters',
      ])
    })

    it('must be a string', () => {
      expect(fieldErrors({ prompt: 'a cat', negative: ['blurry'] }).fieldErrors.negative).toEqual([
        'negative must be a string',
      ])
    })
  })

  describe('the body', () => {
    it.each([
      ['a string', 'a cat'],
      ['null', null],
      ['an array', [{ prompt: 'a cat' }]],
      ['a number', 42],
    ])('is refused when it is %s', (_, body) => {
      const { formErrors, fieldErrors: errors } = fieldErrors(body)
      expect(formErrors).toEqual(['the request must be a JSON object with at least a "prompt" string'])
      expect(errors).toEqual({})
    })

    it('reports every bad field at once', () => {
      const { fieldErrors: errors } = fieldErrors({ prompt: '', sampler: 'nope', scheduler: 'nope' })
      expect(Object.keys(errors).sort()).toEqual(['prompt', 'sampler', 'scheduler'])
    })

    it('refuses fields it does not know, naming them, instead of dropping them', () => {
      const { formErrors, fieldErrors: errors } = fieldErrors({ prompt: 'a cat', steps: 50, seed: 1 })
      expect(formErrors).toEqual([
        'unknown fields "steps", "seed": the request takes only prompt, negative, sampler, scheduler, preferredGpu, webhook',
      ])
      expect(errors).toEqual({})
    })

    it("accepts the Go proxy's four fields", () => {
      expect(
        parse({ prompt: 'a cat', negative: '', sampler: 'DPM++ 2M Karras', scheduler: 'karras' }),
      ).toEqual({
        prompt: 'a cat',
        negative: '',
        sampler: 'dpmpp_2m',
        scheduler: 'karras',
        preferredGpu: UPSTREAM_DOC_GPUS,
      })
    })
  })
})
