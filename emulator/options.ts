// The emulator's knobs and faults: their types, their defaults, and how a run-time patch is merged and checked.

/** How a succeeded era-2 job spells its `result`. */
export type ResultShape = 'api-image-path' | 'api-image-query' | 'next-image' | 'data-url' | 'bare-path'

/** Encoding of the stored image. */
export type ImageFormat = 'webp' | 'png' | 'jpeg'

/** Shape of a `/api/status` answer. */
export type StatusShape = 'array' | 'keyed' | 'statuses' | 'bare'

/** What `elapsed_time` does once a job has ended: stop, keep counting, or leave the key out altogether. */
export type ElapsedTimeMode = 'frozen' | 'growing' | 'absent'

/** How an unknown sampler or scheduler is met: a 400 at submit, or a job that is queued and fails later. */
export type UnknownSamplerMode = 'reject' | 'fail-job'

/**
 * A fault played on one endpoint; `times` limits it to the next N requests, else it stays until changed;
 * `probability` (0..1) plays it on that share of requests only, at random (the others are answered normally).
 */
export interface Fault {
  status?: number
  delayMs?: number
  hang?: boolean
  malformed?: boolean
  reset?: boolean
  /** Submit and status: a 200 gzip answer (`content-encoding: gzip`) inflating to this many bytes. */
  gzipBombBytes?: number
  /** Submit and status: a 200 JSON answer of this many bytes, streamed. */
  hugeJsonBytes?: number
  times?: number
  probability?: number
}

/** Faults per endpoint; `image` covers `/api/image*`, `/images/*` and `/_next/image`. */
export interface EmulatorFaults {
  submit?: Fault
  status?: Fault
  image?: Fault
}

/** Worker fields every job reports instead of its seat's own (odd names: `RTX™ 4090`, emoji, control characters). */
export interface WorkerOverride {
  name?: string
  city?: string
  country?: string
  gpu?: string
}

/** Every knob of the emulator; configure() takes a partial patch, and a key set to undefined/null resets it. */
export interface EmulatorOptions {
  port: number
  host: string
  era: 1 | 2
  resultShape: ResultShape
  queueMs: number
  runMs: number | [number, number]
  workers: number
  imageFormat: ImageFormat
  imageSize: number
  imagePadBytes: number
  gpus: string[]
  notFound: '404' | 'string'
  unknownForFirstPolls: number
  batch: 'complete' | 'first-only'
  statusShape: StatusShape
  /** Replaced as a whole by configure(): `configure({ faults: {} })` clears every fault. */
  faults: EmulatorFaults
  failRate: number
  stuckWaiting: boolean
  emptyStatusArray: boolean
  offOriginResult: string | null
  nonImage: boolean
  oversizedImageBytes: number
  unknownStatus: string | null
  workerOverride: WorkerOverride | null
  /** The reason failed jobs report, instead of a random plausible one. */
  failureReason: string | null
  /** When > 0, every overridden worker field and failureReason is repeated up to this many characters. */
  longStringChars: number
  /** `elapsed_time` after the end: frozen at the end, growing with the clock, or the key absent throughout. */
  elapsedTime: ElapsedTimeMode
  /** Finished jobs are forgotten this long after they end (status 404 afterwards); null keeps them forever. */
  finishedTtlMs: number | null
  /** Whether an expired job's image stays served (true) or goes with the job (false). */
  expiryKeepsImages: boolean
  /** The only `q` values `/_next/image` serves (Next 16's default is [75]); null allows every 1..100. */
  qualities: number[] | null
  /** 'fail-job' accepts an unknown sampler or scheduler and fails the job when it leaves the queue. */
  unknownSampler: UnknownSamplerMode
}

/** A fresh copy of the defaults: short enough for tests to be tolerable, long enough to see every state. */
export function defaultOptions(): EmulatorOptions {
  return {
    port: 0,
    host: '127.0.0.1',
    era: 2,
    resultShape: 'api-image-path',
    queueMs: 200,
    runMs: 1000,
    workers: 4,
    imageFormat: 'webp',
    imageSize: 1024,
    imagePadBytes: 0,
    gpus: ['RTX4090', 'A10', 'A100', 'V100-32Gi', 'H100'],
    notFound: '404',
    unknownForFirstPolls: 0,
    batch: 'complete',
    statusShape: 'array',
    faults: {},
    failRate: 0,
    stuckWaiting: false,
    emptyStatusArray: false,
    offOriginResult: null,
    nonImage: false,
    oversizedImageBytes: 0,
    unknownStatus: null,
    workerOverride: null,
    failureReason: null,
    longStringChars: 0,
    elapsedTime: 'frozen',
    finishedTtlMs: null,
    expiryKeepsImages: false,
    qualities: null,
    unknownSampler: 'reject',
  }
}

/** Merges a patch onto current options and checks the result; throws a TypeError naming the bad key. */
export function mergeOptions(current: EmulatorOptions, patch: Partial<EmulatorOptions>): EmulatorOptions {
  const defaults = defaultOptions()
  const next: Record<string, unknown> = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in defaults)) throw new TypeError(`unknown option "${key}"`)
    next[key] = value ?? defaults[key as keyof EmulatorOptions]
  }
  const merged = next as unknown as EmulatorOptions
  if (patch.faults !== undefined) merged.faults = structuredClone(merged.faults ?? {})
  checkOptions(merged)
  return merged
}

const RESULT_SHAPES = ['api-image-path', 'api-image-query', 'next-image', 'data-url', 'bare-path']
const IMAGE_FORMATS = ['webp', 'png', 'jpeg']
const STATUS_SHAPES = ['array', 'keyed', 'statuses', 'bare']
const ELAPSED_TIME_MODES = ['frozen', 'growing', 'absent']
const UNKNOWN_SAMPLER_MODES = ['reject', 'fail-job']

function checkOptions(o: EmulatorOptions): void {
  const fail = (key: string, must: string): never => {
    throw new TypeError(`option "${key}" must be ${must}`)
  }
  const isCount = (n: unknown, min = 0) => Number.isInteger(n) && (n as number) >= min
  if (!isCount(o.port) || o.port > 65535) fail('port', 'an integer 0..65535')
  if (typeof o.host !== 'string' || o.host === '') fail('host', 'a host name')
  if (o.era !== 1 && o.era !== 2) fail('era', '1 or 2')
  if (!RESULT_SHAPES.includes(o.resultShape)) fail('resultShape', RESULT_SHAPES.join(' | '))
  if (!isCount(o.queueMs)) fail('queueMs', 'an integer >= 0')
  const run = typeof o.runMs === 'number' ? [o.runMs, o.runMs] : o.runMs
  const [min = -1, max = -1] = Array.isArray(run) && run.length === 2 ? run : []
  if (!isCount(min) || !isCount(max) || min > max) {
    fail('runMs', 'an integer >= 0 or [min, max]')
  }
  if (!isCount(o.workers, 1)) fail('workers', 'an integer >= 1')
  if (!IMAGE_FORMATS.includes(o.imageFormat)) fail('imageFormat', IMAGE_FORMATS.join(' | '))
  if (!isCount(o.imageSize, 8) || o.imageSize > 4096) fail('imageSize', 'an integer 8..4096')
  if (!isCount(o.imagePadBytes)) fail('imagePadBytes', 'an integer >= 0')
  if (!Array.isArray(o.gpus) || o.gpus.length === 0) fail('gpus', 'a non-empty list of names')
  if (o.notFound !== '404' && o.notFound !== 'string') fail('notFound', "'404' | 'string'")
  if (!isCount(o.unknownForFirstPolls)) fail('unknownForFirstPolls', 'an integer >= 0')
  if (o.batch !== 'complete' && o.batch !== 'first-only') fail('batch', "'complete' | 'first-only'")
  if (!STATUS_SHAPES.includes(o.statusShape)) fail('statusShape', STATUS_SHAPES.join(' | '))
  if (typeof o.faults !== 'object') fail('faults', 'an object of per-endpoint faults')
  for (const [endpoint, fault] of Object.entries(o.faults ?? {})) {
    const p = fault?.probability
    if (p !== undefined && !(p >= 0 && p <= 1)) fail(`faults.${endpoint}.probability`, 'a number 0..1')
    for (const key of ['gzipBombBytes', 'hugeJsonBytes'] as const) {
      const bytes = fault?.[key]
      if (bytes !== undefined && (!isCount(bytes, 1) || bytes > 2 ** 40))
        fail(`faults.${endpoint}.${key}`, 'an integer 1..2^40')
    }
  }
  if (!(o.failRate >= 0 && o.failRate <= 1)) fail('failRate', 'a number 0..1')
  if (!isCount(o.oversizedImageBytes)) fail('oversizedImageBytes', 'an integer >= 0')
  const override = o.workerOverride
  if (override !== null && (typeof override !== 'object' || Array.isArray(override)))
    fail('workerOverride', 'null or an object of name, city, country and gpu strings')
  for (const [key, value] of Object.entries(override ?? {})) {
    if (!['name', 'city', 'country', 'gpu'].includes(key) || typeof value !== 'string')
      fail(`workerOverride.${key}`, 'a string (keys: name, city, country, gpu)')
  }
  if (o.failureReason !== null && typeof o.failureReason !== 'string')
    fail('failureReason', 'null or a string')
  if (!isCount(o.longStringChars) || o.longStringChars > 2 ** 28)
    fail('longStringChars', 'an integer 0..268435456')
  if (!ELAPSED_TIME_MODES.includes(o.elapsedTime)) fail('elapsedTime', ELAPSED_TIME_MODES.join(' | '))
  if (o.finishedTtlMs !== null && !isCount(o.finishedTtlMs)) fail('finishedTtlMs', 'null or an integer >= 0')
  if (typeof o.expiryKeepsImages !== 'boolean') fail('expiryKeepsImages', 'true or false')
  const qualities = o.qualities
  if (
    qualities !== null &&
    (!Array.isArray(qualities) ||
      qualities.length === 0 ||
      qualities.some((q) => !Number.isInteger(q) || q < 1 || q > 100))
  )
    fail('qualities', 'null or a non-empty list of integers 1..100')
  if (!UNKNOWN_SAMPLER_MODES.includes(o.unknownSampler))
    fail('unknownSampler', UNKNOWN_SAMPLER_MODES.join(' | '))
}

/** `text` repeated up to `chars` characters when chars > 0 (the longStringChars knob), else as it is. */
export function lengthened(text: string, chars: number): string {
  if (chars <= 0 || text === '') return text
  return text.repeat(Math.ceil(chars / text.length)).slice(0, chars)
}
