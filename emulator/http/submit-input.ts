// Checks a POST /api/generate body the way the upstream (and ComfyUI behind it) would.
import { DEFAULT_SAMPLER, DEFAULT_SCHEDULER, SAMPLERS, SCHEDULERS } from '../comfy-names.ts'
import type { SubmitInput } from '../jobs/book.ts'
import type { UnknownSamplerMode } from '../options.ts'

/**
 * The checked input, or the error message a 400 answer carries. With 'fail-job', an unknown sampler or
 * scheduler is let in and carried as the job's `refusal`, the way a backend that queues first and lets
 * ComfyUI validate later would behave.
 */
export function checkSubmitBody(
  body: unknown,
  unknownSampler: UnknownSamplerMode = 'reject',
): SubmitInput | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Body must be a JSON object'
  const fields = body as Record<string, unknown>
  const { prompt, negative = '', sampler = DEFAULT_SAMPLER, scheduler = DEFAULT_SCHEDULER } = fields
  if (typeof prompt !== 'string' || prompt.trim() === '') return 'Prompt is required'
  if (typeof negative !== 'string') return 'negative must be a string'
  const lenient = unknownSampler === 'fail-job'
  if (typeof sampler !== 'string' || (!lenient && !SAMPLERS.includes(sampler))) {
    return `Invalid sampler: ${String(sampler)}`
  }
  if (typeof scheduler !== 'string' || (!lenient && !SCHEDULERS.includes(scheduler))) {
    return `Invalid scheduler: ${String(scheduler)}`
  }
  const refusal = !SAMPLERS.includes(sampler)
    ? notInList('sampler_name', sampler, SAMPLERS)
    : !SCHEDULERS.includes(scheduler)
      ? notInList('scheduler', scheduler, SCHEDULERS)
      : null
  const gpus = fields.preferred_gpu ?? []
  const preferredGpu = typeof gpus === 'string' ? [gpus] : gpus
  if (!Array.isArray(preferredGpu) || preferredGpu.some((gpu) => typeof gpu !== 'string')) {
    return 'preferred_gpu must be a list of GPU names'
  }
  return { prompt, negative, sampler, scheduler, preferredGpu, refusal }
}

/** ComfyUI's wording for a KSampler input outside its list. */
function notInList(input: string, value: string, list: readonly string[]): string {
  return `Prompt outputs failed validation: KSampler: Value not in list: ${input}: '${value}' not in (list of length ${list.length})`
}
