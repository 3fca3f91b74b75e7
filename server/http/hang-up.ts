/** A signal that aborts when the caller hangs up before its answer was written in full. */
import type { FastifyReply } from 'fastify'
import { GatewayError } from '../errors.ts'

/**
 * Aborts with CANCELLED when the response closes unfinished. request.signal fires once a POST body has been
 * read (Fastify 5.12), so the socket is watched instead.
 */
export function hangUpSignal(reply: FastifyReply): AbortSignal {
  const hangUp = new AbortController()
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) hangUp.abort(new GatewayError('CANCELLED', 'the caller hung up'))
  })
  return hangUp.signal
}
