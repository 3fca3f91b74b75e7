/** Catching the GatewayError a synchronous call throws, for assertions on its code and details. */
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
