// The `result` a finished job reports: an image reference in one of the upstream's shapes, or a data URL.
import type { ResultShape } from '../options.ts'

const FAILURE_REASONS = [
  'CUDA out of memory. Tried to allocate 2.00 GiB',
  'Worker disconnected',
  'ComfyUI execution error: KSampler failed',
]

/** The reference a succeeded job reports for its image file. */
export function imageReference(shape: ResultShape, file: string, bytes: Buffer, mime: string): string {
  if (shape === 'api-image-query') return `/api/image?filename=${encodeURIComponent(file)}`
  if (shape === 'next-image') return `/_next/image?url=${encodeURIComponent(`/api/image/${file}`)}`
  if (shape === 'data-url') return dataUrl(bytes, mime)
  if (shape === 'bare-path') return `/images/${file}`
  return `/api/image/${file}`
}

/** An era-1 result: the image inline. */
export function dataUrl(bytes: Buffer, mime: string): string {
  return `data:${mime};base64,${bytes.toString('base64')}`
}

/** A plausible reason for a failed job. */
export function failureReason(): string {
  return FAILURE_REASONS[Math.floor(Math.random() * FAILURE_REASONS.length)] ?? 'Worker failed'
}
