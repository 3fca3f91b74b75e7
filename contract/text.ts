/** The rules every free-text field follows (prompt, negative): what a character is, and which ones are refused. */
import { z } from 'zod'

/**
 * A C0 or C1 control character other than tab, line feed and carriage return (Unicode category Cc), or an
 * unpaired surrogate (Cs: with the `u` flag a paired surrogate is one code point and does not match).
 */
const FORBIDDEN = /(?![\t\n\r])[\p{Cc}\p{Cs}]/u

/** Longest part of a caller's value quoted back in an error message. */
const MAX_QUOTED = 60

/**
 * The length of `text` as a user counts it: in Unicode code points, so an emoji or a CJK extension character
 * is one character, as a text editor shows it, not the two UTF-16 units JavaScript's `length` counts.
 */
export function characterCount(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}

/** The first character a text field refuses, its code point and 1-based position in characters; else undefined. */
export function forbiddenCharacter(text: string): { codePoint: number; position: number } | undefined {
  const match = FORBIDDEN.exec(text)
  if (!match) return undefined
  return {
    codePoint: match[0].codePointAt(0) as number,
    position: characterCount(text.slice(0, match.index)) + 1,
  }
}

/** `U+0007`: how a code point is named in messages. */
const codePointName = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`

/** Why `field`'s value `text` is refused: its first forbidden character, named by code point and position. */
function forbiddenMessage(field: string, text: string): string {
  const found = forbiddenCharacter(text) ?? { codePoint: 0, position: 0 }
  const name = codePointName(found.codePoint)
  if (found.codePoint >= 0xd800 && found.codePoint <= 0xdfff)
    return `${field} contains an unpaired surrogate ${name} at character ${found.position}: it must be valid Unicode`
  return (
    `${field} contains the control character ${name} at character ${found.position}: only tab, line feed ` +
    'and carriage return are allowed'
  )
}

/** A caller's value as error messages quote it: at most MAX_QUOTED characters. */
export function quoted(value: unknown): string {
  const text = String(value)
  const chars = [...text]
  return chars.length > MAX_QUOTED ? `${chars.slice(0, MAX_QUOTED).join('')}…` : text
}

/**
 * A free-text field: a string without control characters (but tab, LF, CR) or unpaired surrogates, put in
 * Unicode NFC and trimmed, then `min` to `max` characters (code points) long. The metadata keeps `minLength`
 * and `maxLength` in the OpenAPI document: JSON Schema counts code points too.
 */
export function textField(field: string, { min, max }: { min: number; max: number }) {
  const lengthHelp = `${field} must be at most ${max} characters`
  return z
    .string({ error: min > 0 ? `${field} is required and must be a string` : `${field} must be a string` })
    .refine((value) => forbiddenCharacter(value) === undefined, {
      error: (issue) => forbiddenMessage(field, issue.input as string),
      abort: true,
    })
    .overwrite((value) => value.normalize('NFC'))
    .trim()
    .refine((value) => characterCount(value) >= min, { error: `${field} must not be empty`, abort: true })
    .refine((value) => characterCount(value) <= max, { error: lengthHelp })
    .meta({ ...(min > 0 ? { minLength: min } : {}), maxLength: max })
}
