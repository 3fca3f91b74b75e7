/** What a caller of the sync route asked for in its headers: how long to wait, and JSON instead of bytes. */

/** Longest `Prefer: wait=N` honoured, in seconds (the job deadline still applies). */
export const MAX_PREFER_WAIT_S = 3600

/**
 * Seconds from `Prefer: wait=N` (RFC 7240), 0 for `Prefer: respond-async`, or undefined to wait for the job
 * however long it takes.
 */
export function preferredWaitS(prefer: string | undefined): number | undefined {
  if (!prefer) return undefined
  const wait = /(?:^|[\s,;])wait\s*=\s*"?(\d+)"?/i.exec(prefer)
  if (wait) return Math.min(MAX_PREFER_WAIT_S, Number(wait[1]))
  return /(?:^|[\s,;])respond-async(?:$|[\s,;])/i.test(prefer) ? 0 : undefined
}

/** True when `Accept` asks for JSON and not for an image: the caller wants the `Job` view, not the bytes. */
export function wantsJobView(accept: string | undefined): boolean {
  if (!accept) return false
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '')
  return (
    types.includes('application/json') && !types.some((type) => type.startsWith('image/') || type === '*/*')
  )
}
