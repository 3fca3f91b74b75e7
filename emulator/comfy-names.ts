// The ComfyUI KSampler sampler and scheduler names the upstream accepts, copied from the upstream notes.

/** Sampler names ComfyUI accepts; anything else is refused with 400. */
export const SAMPLERS: readonly string[] = [
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
]

/** Scheduler names ComfyUI accepts; anything else is refused with 400. */
export const SCHEDULERS: readonly string[] = [
  'normal',
  'karras',
  'exponential',
  'sgm_uniform',
  'simple',
  'ddim_uniform',
  'beta',
  'linear_quadratic',
]

/** The de-facto default pair that public clients send. */
export const DEFAULT_SAMPLER = 'dpmpp_2m'

/** The scheduler paired with DEFAULT_SAMPLER. */
export const DEFAULT_SCHEDULER = 'sgm_uniform'
