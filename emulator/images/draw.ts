// Draws a square picture whose colours come from a hash of the prompt, and encodes it with sharp.
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import type { ImageFormat } from '../options.ts'

const GRID = 8

/** Encodes a prompt-dependent picture of size x size pixels; different prompts give different bytes. */
export async function drawImage(prompt: string, format: ImageFormat, size: number): Promise<Buffer> {
  const seed = createHash('sha256').update(prompt).digest()
  // A tiny grid of hashed colours blown up into a mosaic: 'nearest' keeps encoding a 1024px square to a few ms.
  const grid = Buffer.alloc(GRID * GRID * 3)
  for (let i = 0; i < grid.length; i++) {
    const cell = Math.floor(i / 3)
    const x = cell % GRID
    const y = Math.floor(cell / GRID)
    const base = seed.readUInt8(i % 3) + ((x + y) * seed.readUInt8(3 + (i % 3))) / GRID
    grid[i] = (base + seed.readUInt8((i * 7) % seed.length) / 4) & 0xff
  }
  const picture = sharp(grid, { raw: { width: GRID, height: GRID, channels: 3 } }).resize(size, size, {
    kernel: 'nearest',
  })
  return encode(picture, format, 85)
}

/** Applies the output encoder for format with cheap settings (the emulator runs next to a benchmark). */
function encode(picture: sharp.Sharp, format: ImageFormat, quality: number): Promise<Buffer> {
  if (format === 'png') return picture.png({ compressionLevel: 3 }).toBuffer()
  if (format === 'jpeg') return picture.jpeg({ quality }).toBuffer()
  return picture.webp({ quality, effort: 0 }).toBuffer()
}

/** Re-encodes stored bytes the way Next's optimiser does: at most width pixels wide, in the given format. */
export function reencodeImage(source: Buffer, format: ImageFormat, width: number, quality: number) {
  return encode(sharp(source).resize({ width, withoutEnlargement: true }), format, quality)
}

/** The file extension used for a format. */
export function extensionOf(format: ImageFormat): string {
  return format === 'jpeg' ? 'jpg' : format
}

/** The Content-Type of a format. */
export function mimeOf(format: ImageFormat): string {
  return `image/${format}`
}
