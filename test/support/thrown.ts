/** Catching the GatewayError a call throws (or a promise rejects with), for assertions on its code and details. */
import { GatewayError } from '../../server/errors.ts'

/** The GatewayError `fn` throws; fails the test when it throws anything else or nothing. */
export function thrown(fn: () => unknown): GatewayError {
  try {
    fn()
  } catch (error) {
    if (error instanceof GatewayError) return error
    throw error
  }
  throw new Error('expected a GatewayError')
}

/** The GatewayError `promise` rejects with; fails the test when it rejects with anything else or resolves. */
export async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`)
  return error
}
