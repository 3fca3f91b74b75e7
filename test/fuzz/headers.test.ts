// The header readers of the sync route, under any string: a bounded wait or none, a yes or a no, never a throw.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_PREFER_WAIT_S, preferredWaitS, wantsJobView } from '../../server/http/preferences.ts'
import { runs } from './support.ts'

/** Header-like text: tokens, separators and numbers the parsers look for, in any order, plus anything. */
const headerText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'wait',
          'respond-async',
          '=',
          ',',
          ';',
          ' ',
          '"',
          'application/json',
          'image/*',
          '*/*',
          'q=0',
        ),
        fc.nat().map(String),
        fc.constantFrom('1e400', '-1', '99999999999999999999999', '0x10', 'NaN'),
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
)

describe('Prefer and Accept under any input', () => {
  it('preferredWaitS is undefined or whole seconds from 0 to the maximum', () => {
    fc.assert(
      fc.property(fc.option(headerText, { nil: undefined }), (header) => {
        const seconds = preferredWaitS(header)
        if (seconds === undefined) return
        expect(Number.isInteger(seconds)).toBe(true)
        expect(seconds).toBeGreaterThanOrEqual(0)
        expect(seconds).toBeLessThanOrEqual(MAX_PREFER_WAIT_S)
      }),
      runs(3000),
    )
  })

  it('wantsJobView is a boolean', () => {
    fc.assert(
      fc.property(fc.option(headerText, { nil: undefined }), (header) => {
        expect(typeof wantsJobView(header)).toBe('boolean')
      }),
      runs(3000),
    )
  })
})
