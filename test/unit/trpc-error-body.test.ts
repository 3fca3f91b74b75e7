/** The tRPC error body `/trpc` sends for errors raised before tRPC runs is the one tRPC itself would send. */
import { getTRPCErrorShape, TRPCError, transformTRPCResponse } from '@trpc/server'
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../server/errors.ts'
import { errorBody, toTRPCError } from '../../server/trpc/init.ts'
import { appRouter, procedureNames, subscriptionNames } from '../../server/trpc/router.ts'

/** What tRPC's own adapters answer: the shape from the router's config, serialized by its transformer. */
function trpcOwnBody(error: TRPCError, path: string | undefined) {
  // Read here only, to hold our public-API version to the library's: the gateway never reads it.
  const config = appRouter._def._config
  const shape = getTRPCErrorShape({ config, error, type: 'unknown', path, input: undefined, ctx: undefined })
  return transformTRPCResponse(config, { error: shape })
}

describe('errorBody', () => {
  const cases: [string, TRPCError, string | undefined][] = [
    [
      'a gateway error with details, on a path',
      toTRPCError(
        new GatewayError('PAYLOAD_TOO_LARGE', 'request body is too large', { details: { reason: 'x' } }),
      ),
      'generate',
    ],
    [
      'a refusal on a batch path',
      toTRPCError(new GatewayError('RATE_LIMITED', 'slow down')),
      'health,jobStatus',
    ],
    ['an internal error, without a path', toTRPCError(new GatewayError('INTERNAL', 'secret')), undefined],
    ['a bare tRPC error', new TRPCError({ code: 'BAD_REQUEST', message: 'bad' }), ''],
  ]
  for (const [name, error, path] of cases)
    it(`equals tRPC's own body for ${name}`, () => {
      expect(errorBody(error, path)).toStrictEqual(trpcOwnBody(error, path))
    })
})

describe('procedure names', () => {
  it('are the router procedures, and the subscriptions among them', () => {
    expect([...procedureNames].sort()).toEqual(Object.keys(appRouter._def.procedures).sort())
    expect(subscriptionNames).toEqual(
      Object.entries(appRouter._def.procedures)
        .filter(([, procedure]) => (procedure as { _def: { type: string } })._def.type === 'subscription')
        .map(([name]) => name),
    )
  })
})
