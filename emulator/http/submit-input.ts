// Checks a POST /api/generate body the way the upstream (and ComfyUI behind it) would.
import { DEFAULT_SAMPLER, DEFAULT_SCHEDULER, SAMPLERS, SCHEDULERS } from '../comfy-names.ts'
import type { SubmitInput } from '../jobs/book.ts'

/** The checked input, or the error message a 400 answer carries. */
export function checkSubmitBody(body: unknown): SubmitInput | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Body must be a JSON object'
  const fields = body as Record<string, unknown>
  const { prompt, negative = '', sampler = DEFAULT_SAMPLER, scheduler = DEFAULT_SCHEDULER } = fields
  if (typeof prompt !== 'string' || prompt.trim() === '') return 'Prompt is required'
  if (typeof negative !== 'string') return 'negative must be a string'
  if (typeof sampler !== 'string' || !SAMPLERS.includes(sampler)) return `Invalid sampler: ${String(sampler)}`
  if (typeof scheduler !== 'string' || !SCHEDULERS.includes(scheduler)) {
    return `Invalid scheduler: ${String(scheduler)}`
  }
  const gpus = fields.preferred_gpu ?? []
  const preferredGpu = typeof gpus === 'string' ? [gpus] : gpus
  if (!Array.isArray(preferredGpu) || preferredGpu.some((gpu) => typeof gpu !== 'string')) {
    return 'preferred_gpu must be a list of GPU names'
  }
  return { prompt, negative, sampler, scheduler, preferredGpu }
}
