/** fieldErrorsOf: the gateway's per-field problems of a rejected input, by field name. */
import type { AkashGenError } from '@akashgen/client'

/** Each field the gateway refused, with its problems (e.g. `{ prompt: ['prompt must not be blank'] }`). */
export type FieldErrors = Record<string, string[]>

/** The field errors an `INVALID_REQUEST` carries (its `details.fieldErrors`); empty for any other error. */
export function fieldErrorsOf(error: AkashGenError | null | undefined): FieldErrors {
  const details = error?.details as { fieldErrors?: Record<string, string[] | undefined> } | undefined
  const entries = Object.entries(details?.fieldErrors ?? {})
  return Object.fromEntries(entries.filter((entry): entry is [string, string[]] => Array.isArray(entry[1])))
}
