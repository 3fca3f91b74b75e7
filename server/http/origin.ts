/** This gateway's origin, for absolute URLs in responses: the configured public URL, else the request's host. */
import { isIP } from 'node:net'
import type { FastifyRequest } from 'fastify'
import { GatewayError } from '../errors.ts'

/** A plain `host[:port]`: DNS labels or an IPv4 address, or a bracketed IPv6 address; an optional port. */
const HOST = /^(?:[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*|\[([0-9a-f:.]+)\])(?::(\d{1,5}))?$/i

/** Whether `host` can be put into a URL as it is: no path, user info, spaces or other characters. */
function isPlainHost(host: string): boolean {
  const match = host.length <= 261 ? HOST.exec(host) : null
  if (!match) return false
  const [, ipv6, port] = match
  return (ipv6 === undefined || isIP(ipv6) === 6) && (port === undefined || Number(port) <= 65535)
}

/**
 * The request's host (the trusted proxy's `X-Forwarded-Host` under AKASHGEN_TRUST_PROXY), or INVALID_REQUEST
 * naming the header when it is not a plain `host[:port]`: it is never written into a URL callers follow.
 */
export function plainHostOf(request: FastifyRequest): string {
  const host = request.host
  if (typeof host === 'string' && isPlainHost(host)) return host
  throw new GatewayError(
    'INVALID_REQUEST',
    'invalid request: the Host header must be a plain host[:port] (or set AKASHGEN_PUBLIC_URL)',
    { details: { header: 'Host' } },
  )
}

/**
 * AKASHGEN_PUBLIC_URL (read from the app's services) when set; else `http(s)://host` of the request, the
 * scheme from the trusted proxy's `X-Forwarded-Proto` under AKASHGEN_TRUST_PROXY.
 */
export function originOf(request: FastifyRequest): string {
  const publicUrl = request.server.services.config.AKASHGEN_PUBLIC_URL
  if (publicUrl) return publicUrl
  return `${request.protocol === 'https' ? 'https' : 'http'}://${plainHostOf(request)}`
}
