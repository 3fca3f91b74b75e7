/** `preferred_gpu`, the upstream's own spelling of the contract's `preferredGpu`, accepted on `POST /api/generate`. */
import { isDeepStrictEqual } from 'node:util'
import { GatewayError } from '../errors.ts'

/** The upstream's name for the field. */
const UPSTREAM_GPU_FIELD = 'preferred_gpu'

/**
 * Moves `preferred_gpu` to `preferredGpu` in a parsed JSON body, so the contract checks it under its own name.
 * Both given: the same list is fine, two different lists are refused naming both (neither silently wins).
 */
export function acceptUpstreamGpuSpelling(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return
  const fields = body as Record<string, unknown>
  if (!Object.hasOwn(fields, UPSTREAM_GPU_FIELD)) return
  const upstream = fields[UPSTREAM_GPU_FIELD]
  if (Object.hasOwn(fields, 'preferredGpu') && !isDeepStrictEqual(fields.preferredGpu, upstream)) {
    const message = `preferredGpu and ${UPSTREAM_GPU_FIELD} are two spellings of one field and differ: send one`
    throw new GatewayError('INVALID_REQUEST', `invalid request: ${message}`, {
      details: { formErrors: [], fieldErrors: { preferredGpu: [message], [UPSTREAM_GPU_FIELD]: [message] } },
    })
  }
  delete fields[UPSTREAM_GPU_FIELD]
  fields.preferredGpu = upstream
}
