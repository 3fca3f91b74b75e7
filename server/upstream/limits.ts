/**
 * How much of the upstream's answers the gateway takes in: every byte and character limit on what AkashGen
 * sends, in one place (docs/security.md lists them). Strings are cut here, at the edge, before
 * they reach records, logs, headers or callers.
 */

/** Largest submit or status JSON body read, in bytes after any decompression: an era-1 data URL fits. */
export const MAX_UPSTREAM_JSON_BYTES = 1024 * 1024

/** Largest error body (a non-2xx answer) read from the upstream, in bytes. */
export const MAX_UPSTREAM_ERROR_BODY_BYTES = 16 * 1024

/** Characters kept of each worker field (name, city, country, gpu). */
export const MAX_WORKER_FIELD_CHARS = 256

/** Longest image reference (path or URL) accepted; a longer one is refused, since a cut URL is a wrong URL. */
export const MAX_RESULT_REFERENCE_CHARS = 4096

/** Characters kept of a failure reason (a failed job's `result`, an error answer's text), marker included. */
export const MAX_FAILURE_REASON_CHARS = 1000

/** Longest upstream job id accepted; ids are UUIDs (36 characters), a longer one is refused, not cut. */
export const MAX_UPSTREAM_JOB_ID_CHARS = 128

/** Characters kept of a status word (`succeeded`, or an unknown one logged as drift). */
export const MAX_STATUS_WORD_CHARS = 64

/** Most distinct kinds of drift remembered (unknown status words are kinds): the rest are counted together. */
export const MAX_DRIFT_KINDS = 100

/** What a cut string ends with. */
export const TRUNCATION_MARKER = '… [truncated]'

/** The characters upstreamText removes: C0 and C1 controls, DEL, and bidirectional marks and overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** `text` cut to at most `max` UTF-16 units, never splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max
  return text.slice(0, end)
}

/**
 * Upstream text made safe to keep and show: control and bidirectional-override characters removed (they
 * could rewrite a terminal or a log viewer), unpaired surrogates replaced by U+FFFD, then cut to `max` characters ending with TRUNCATION_MARKER.
 */
export function upstreamText(text: string, max: number): string {
  // Cut before cleaning too, so a megabyte string costs one pass over at most a few times `max`.
  const clean = cut(text, max * 4)
    .replace(CONTROL_CHARACTERS, '')
    .replace(/\p{Cs}/gu, '\ufffd')
  if (clean.length <= max && text.length <= max * 4) return clean
  return cut(clean, max - TRUNCATION_MARKER.length) + TRUNCATION_MARKER
}

/** A worker field as kept: see upstreamText. */
export const workerField = (text: string): string => upstreamText(text, MAX_WORKER_FIELD_CHARS)

/** A failure reason as kept: see upstreamText. */
export const failureReason = (text: string): string => upstreamText(text, MAX_FAILURE_REASON_CHARS)
