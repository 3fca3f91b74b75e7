/** Header values made from upstream text: always valid HTTP, and reversible with decodeURIComponent. */

/**
 * `text` as a header value: visible ASCII and inner spaces kept, every other character (and `%` itself)
 * percent-encoded as UTF-8, so `"RTX™ 4090"` becomes `RTX%E2%84%A2 4090` and `decodeURIComponent` gives the
 * name back. Node refuses a header value beyond Latin-1 or with a control character: that turned a
 * succeeded job into a 500.
 */
export function headerValue(text: string): string {
  // An unpaired surrogate would make encodeURIComponent throw: it becomes U+FFFD first.
  return text
    .replace(/\p{Cs}/gu, '\ufffd')
    .trim()
    .replace(/[^\x20-\x24\x26-\x7e]+/gu, (run) => encodeURIComponent(run))
}
