/** ComfyUI sampler and scheduler names, and the AUTOMATIC1111 aliases users type instead. */

/** Every KSampler sampler name ComfyUI accepts. */
export const SAMPLERS = [
  'euler',
  'euler_cfg_pp',
  'euler_ancestral',
  'euler_ancestral_cfg_pp',
  'heun',
  'heunpp2',
  'dpm_2',
  'dpm_2_ancestral',
  'lms',
  'dpm_fast',
  'dpm_adaptive',
  'dpmpp_2s_ancestral',
  'dpmpp_2s_ancestral_cfg_pp',
  'dpmpp_sde',
  'dpmpp_sde_gpu',
  'dpmpp_2m',
  'dpmpp_2m_cfg_pp',
  'dpmpp_2m_sde',
  'dpmpp_2m_sde_gpu',
  'dpmpp_3m_sde',
  'dpmpp_3m_sde_gpu',
  'ddpm',
  'lcm',
  'ipndm',
  'ipndm_v',
  'deis',
  'ddim',
  'uni_pc',
  'uni_pc_bh2',
] as const

/** Every KSampler scheduler name ComfyUI accepts. */
export const SCHEDULERS = [
  'normal',
  'karras',
  'exponential',
  'sgm_uniform',
  'simple',
  'ddim_uniform',
  'beta',
  'linear_quadratic',
] as const

export type Sampler = (typeof SAMPLERS)[number]
export type Scheduler = (typeof SCHEDULERS)[number]

/** The pair AkashGen's own clients send when the user picks nothing. */
export const DEFAULT_SAMPLER: Sampler = 'dpmpp_2m'
export const DEFAULT_SCHEDULER: Scheduler = 'sgm_uniform'

/** AUTOMATIC1111 sampler names mapped to the ComfyUI sampler and the scheduler they imply. */
export const SAMPLER_ALIASES = {
  'DPM++ 2M Karras': { sampler: 'dpmpp_2m', scheduler: 'karras' },
  'DPM++ 2M': { sampler: 'dpmpp_2m', scheduler: 'normal' },
  'DPM++ SDE Karras': { sampler: 'dpmpp_sde', scheduler: 'karras' },
  'DPM++ 2M SDE Karras': { sampler: 'dpmpp_2m_sde', scheduler: 'karras' },
  'DPM++ 2M SDE Exponential': { sampler: 'dpmpp_2m_sde', scheduler: 'exponential' },
  'Euler a': { sampler: 'euler_ancestral', scheduler: 'normal' },
  Euler: { sampler: 'euler', scheduler: 'normal' },
  LMS: { sampler: 'lms', scheduler: 'normal' },
  Heun: { sampler: 'heun', scheduler: 'normal' },
  DPM2: { sampler: 'dpm_2', scheduler: 'normal' },
  'DPM2 a': { sampler: 'dpm_2_ancestral', scheduler: 'normal' },
  UniPC: { sampler: 'uni_pc', scheduler: 'normal' },
  DDIM: { sampler: 'ddim', scheduler: 'ddim_uniform' },
} as const satisfies Record<string, { sampler: Sampler; scheduler: Scheduler }>

export type SamplerAlias = keyof typeof SAMPLER_ALIASES

/** What a caller may write in `sampler`: a ComfyUI name or an AUTOMATIC1111 alias (matched case-insensitively). */
export type SamplerInput = Sampler | SamplerAlias | (string & {})
/** What a caller may write in `scheduler` (matched case-insensitively). */
export type SchedulerInput = Scheduler | (string & {})

const samplerByKey = new Map<string, { sampler: Sampler; scheduler?: Scheduler }>([
  ...SAMPLERS.map((name) => [name, { sampler: name }] as const),
  ...Object.entries(SAMPLER_ALIASES).map(([alias, pair]) => [alias.toLowerCase(), pair] as const),
])
const schedulerByKey = new Map<string, Scheduler>(SCHEDULERS.map((name) => [name, name]))

/** Resolves a sampler name or alias; `scheduler` is set when the name implies one. Undefined when unknown. */
export function resolveSampler(name: string): { sampler: Sampler; scheduler?: Scheduler } | undefined {
  const key = name.trim()
  // `euler`, `heun`, `lms` and `ddim` are also aliases when lowercased; the exact ComfyUI name implies no scheduler.
  if ((SAMPLERS as readonly string[]).includes(key)) return { sampler: key as Sampler }
  return samplerByKey.get(key.toLowerCase())
}

/** Resolves a scheduler name; undefined when unknown. */
export function resolveScheduler(name: string): Scheduler | undefined {
  return schedulerByKey.get(name.trim().toLowerCase())
}

/**
 * Normalises a request's sampler and scheduler to ComfyUI names. An alias supplies the scheduler only when the
 * request gave none; an explicit scheduler always wins. Both names must already be known.
 */
export function normaliseSampling(
  sampler: string | undefined,
  scheduler: string | undefined,
): { sampler: Sampler; scheduler: Scheduler } {
  const resolved = sampler === undefined ? { sampler: DEFAULT_SAMPLER } : resolveSampler(sampler)
  if (!resolved) throw new Error(`unknown sampler ${sampler}`)
  const explicit = scheduler === undefined ? undefined : resolveScheduler(scheduler)
  if (scheduler !== undefined && !explicit) throw new Error(`unknown scheduler ${scheduler}`)
  return { sampler: resolved.sampler, scheduler: explicit ?? resolved.scheduler ?? DEFAULT_SCHEDULER }
}
