/** Image bytes from the upstream: content type from the magic bytes, and bodies read under a size cap. */
import { GatewayError } from '../errors.ts'

/** The image types the gateway passes on, by their magic bytes. */
export type ImageType = 'image/webp' | 'image/png' | 'image/jpeg' | 'image/gif'

/** Decides the image type from the first bytes; undefined when the bytes are not a known image. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b)
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'image/gif'
  return undefined
}

const tooLarge = (maxBytes: number) =>
  new GatewayError('UPSTREAM_ERROR', `upstream image is larger than the ${maxBytes}-byte limit`, {
    details: { maxBytes },
  })

/** Reads a response body, refusing (and cancelling the download) as soon as it passes `maxBytes`. */
export async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw tooLarge(maxBytes)
  }
  const chunks: Uint8Array[] = []
  let total = 0
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  return new Uint8Array(Buffer.concat(chunks, total))
}
