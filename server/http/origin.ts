/** This gateway's origin as a caller reached it, for absolute URLs in responses. */
import type { FastifyRequest } from 'fastify'

/** `http://host:port` of the request. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`
}
