/** The GPUs a request may ask AkashGen for (`preferredGpu`): the one table of their names, and its check. */
import { z } from 'zod'
import { quoted } from './text.ts'

/**
 * Every GPU name the gateway lets a request ask for: the ones AkashGen's own clients send, spelt as they send
 * them. A name the upstream does not know would only fail later, so a new one is added here first.
 */
export const GPUS = ['RTX4090', 'A10', 'A100', 'V100-32Gi', 'H100'] as const

/** A GPU name from the table. */
export type Gpu = (typeof GPUS)[number]

/** What a caller may write in `preferredGpu`: a name from the table, matched case-insensitively. */
export type GpuInput = Gpu | (string & {})

/** The list (and order of preference) sent when a request names none: what AkashGen's own clients send. */
export const DEFAULT_PREFERRED_GPUS: readonly Gpu[] = [...GPUS]

const gpuByKey = new Map<string, Gpu>(GPUS.map((name) => [name.toLowerCase(), name]))

/** The table's spelling of `name` (trimmed, any case), or undefined when it is not a known GPU. */
export function resolveGpu(name: string): Gpu | undefined {
  return gpuByKey.get(name.trim().toLowerCase())
}

const allowed = GPUS.join(', ')

/**
 * Why a `preferredGpu` value is refused, or its GPUs in the table's spelling. Only the first problem is
 * reported, so a long list of bad names makes one message, not one per entry. Duplicates are refused rather
 * than dropped: the list is an order of preference, and a repeat means the caller meant something else.
 */
function checkGpuList(value: unknown): Gpu[] | string {
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string'))
    return `preferredGpu must be a list of GPU names, each one of ${allowed}`
  if (value.length === 0)
    return `preferredGpu must name at least one GPU; leave it out for the default (${DEFAULT_PREFERRED_GPUS.join(', ')})`
  const gpus: Gpu[] = []
  for (const name of value as string[]) {
    const gpu = resolveGpu(name)
    if (!gpu) return `preferredGpu has an unknown GPU "${quoted(name)}": each must be one of ${allowed}`
    if (gpus.includes(gpu))
      return `preferredGpu names "${gpu}" more than once: list each GPU once, best first`
    gpus.push(gpu)
  }
  return gpus
}

/** The `preferredGpu` field of a generate request: known names, at least one, no repeats; absent is the default. */
export const PreferredGpu = (
  z.unknown().transform((value, ctx) => {
    const checked = checkGpuList(value)
    if (typeof checked !== 'string') return checked
    ctx.addIssue({ code: 'custom', message: checked, input: value })
    return z.NEVER
  }) as unknown as z.ZodType<Gpu[], GpuInput[]>
)
  .default(() => [...DEFAULT_PREFERRED_GPUS])
  .meta({
    description:
      'The GPUs the upstream may run the job on, best first: names from the table (matched case-insensitively), ' +
      `each at most once. Absent means the list AkashGen’s own clients send: ${DEFAULT_PREFERRED_GPUS.join(', ')}. ` +
      'Sent upstream as `preferred_gpu`.',
    type: 'array',
    items: { type: 'string', enum: [...GPUS] },
    minItems: 1,
    maxItems: GPUS.length,
    uniqueItems: true,
    examples: [['RTX4090', 'A100']],
  })
