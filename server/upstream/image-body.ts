/** Image bytes from the upstream: content type from the magic bytes, and bodies read under a size cap. */
import { GatewayError } from '../errors.ts'

/** The image types the gateway passes on, by their magic bytes. */
export type ImageType = 'image/webp' | 'image/png' | 'image/jpeg' | 'image/gif'

/** Bytes needed to tell every known type apart (`RIFF....WEBP` is the longest signature). */
export const SNIFF_BYTES = 12

/** Decides the image type from the first bytes; undefined when the bytes are not a known image. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b)
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'image/gif'
  return undefined
}

/** UPSTREAM_ERROR for an image over the size cap. */
export const tooLarge = (maxBytes: number) =>
  new GatewayError('UPSTREAM_ERROR', `upstream image is larger than the ${maxBytes}-byte limit`, {
    details: { maxBytes },
  })
