/** Who a request comes from, once the guard has let it in: its verified API key, else its client address. */
import type { FastifyRequest } from 'fastify'
import type { Caller } from '../../jobs/job-access.ts'

/** The caller of one request; the same caller gets the same `id` on every replica. */
export type { Caller }

const callers = new WeakMap<FastifyRequest, Caller>()

/** Records the verified key's digest (from `ApiKeys.verify`), or undefined in open mode. */
export function rememberCaller(request: FastifyRequest, keyIdentity: string | undefined): void {
  if (keyIdentity) callers.set(request, { id: keyIdentity, keyed: true })
}

/** The request's caller: its verified key when the guard saw one, else its client address (`request.ip`). */
export function callerOf(request: FastifyRequest): Caller {
  return callers.get(request) ?? { id: `ip:${request.ip}`, keyed: false }
}
