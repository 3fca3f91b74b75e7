/** The sampler and scheduler choices, filled from the contract's tables (AUTOMATIC1111 names as aliases). */
import {
  DEFAULT_SAMPLER,
  DEFAULT_SCHEDULER,
  resolveSampler,
  SAMPLER_ALIASES,
  SAMPLERS,
  SCHEDULERS,
} from '@akashgen/contract'

/** Fills the sampler list: ComfyUI names first (the default selected), then each alias with what it maps to. */
export function fillSamplers(select: HTMLSelectElement): void {
  const comfy = group('ComfyUI samplers')
  for (const name of SAMPLERS) {
    const isDefault = name === DEFAULT_SAMPLER
    comfy.append(choice(name, isDefault ? `${name} (default)` : name, isDefault))
  }
  const aliases = group('AUTOMATIC1111 names (aliases)')
  for (const [alias, pair] of Object.entries(SAMPLER_ALIASES)) {
    aliases.append(choice(alias, `${alias} → ${pair.sampler} + ${pair.scheduler}`))
  }
  select.replaceChildren(comfy, aliases)
}

/** Fills the scheduler list: "default" (sent as no scheduler) first, then every ComfyUI scheduler. */
export function fillSchedulers(select: HTMLSelectElement): void {
  select.replaceChildren(choice('', '', true), ...SCHEDULERS.map((name) => choice(name, name)))
}

/** Names the scheduler the gateway picks when none is chosen: the one `sampler` implies, else the default. */
export function describeDefaultScheduler(select: HTMLSelectElement, sampler: string): void {
  const implied = resolveSampler(sampler)?.scheduler
  const option = select.options[0]
  if (!option) return
  option.textContent = implied
    ? `default: ${implied} (implied by ${sampler})`
    : `default: ${DEFAULT_SCHEDULER}`
}

function group(label: string): HTMLOptGroupElement {
  const element = document.createElement('optgroup')
  element.label = label
  return element
}

function choice(value: string, label: string, selected = false): HTMLOptionElement {
  return new Option(label, value, selected, selected)
}
