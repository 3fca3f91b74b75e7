// Grows an encoded image to about a target size while keeping it a valid image of the same format.
import { crc32 } from 'node:zlib'
import type { ImageFormat } from '../options.ts'

/** Returns image grown to about target bytes with an ignorable chunk/segment; smaller targets change nothing. */
export function padImage(image: Buffer, format: ImageFormat, target: number): Buffer {
  const missing = target - image.length
  if (missing <= 16) return image
  if (format === 'png') return padPng(image, missing - 12)
  if (format === 'jpeg') return padJpeg(image, missing)
  return padWebp(image, missing - 8)
}

// A private, ancillary, safe-to-copy chunk ("ppAd") just before IEND; decoders skip it.
function padPng(image: Buffer, length: number): Buffer {
  const iend = image.length - 12
  const chunk = Buffer.alloc(12 + length)
  chunk.writeUInt32BE(length, 0)
  chunk.write('ppAd', 4, 'latin1')
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + length)), 8 + length)
  return Buffer.concat([image.subarray(0, iend), chunk, image.subarray(iend)])
}

// COM segments (at most 65533 payload bytes each) right after SOI; decoders skip comments.
function padJpeg(image: Buffer, missing: number): Buffer {
  const segments: Buffer[] = []
  let left = missing
  while (left > 4) {
    const payload = Math.min(65533, left - 4)
    const segment = Buffer.alloc(4 + payload, 0x20)
    segment.writeUInt16BE(0xfffe, 0)
    segment.writeUInt16BE(payload + 2, 2)
    segments.push(segment)
    left -= 4 + payload
  }
  return Buffer.concat([image.subarray(0, 2), ...segments, image.subarray(2)])
}

// An unknown RIFF chunk ("PADD") after the image data, with the RIFF size fixed up; decoders skip it.
function padWebp(image: Buffer, length: number): Buffer {
  const even = length + (length % 2)
  const chunk = Buffer.alloc(8 + even)
  chunk.write('PADD', 0, 'latin1')
  chunk.writeUInt32LE(even, 4)
  const padded = Buffer.concat([image, chunk])
  padded.writeUInt32LE(padded.length - 8, 4)
  return padded
}
