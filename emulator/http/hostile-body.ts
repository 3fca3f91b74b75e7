// Hostile answers streamed without holding them: a gzip bomb, and JSON far over any sane size.
import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import { gzipSync } from 'node:zlib'

/** Bytes of the JSON padding each repeated piece carries. */
const PIECE_BYTES = 1024 * 1024
const padding = Buffer.alloc(PIECE_BYTES, 0x20)
/** One gzip member inflating to PIECE_BYTES of spaces (about 1 KiB): repeated, it is a bomb built for free. */
const gzipPiece = gzipSync(padding, { level: 9 })

/**
 * Writes `head`, then `repeat` `count` times, then `tail`, waiting for the socket to drain between writes;
 * stops when the caller goes away. Never more than one piece is in memory.
 */
async function writeRepeated(res: ServerResponse, head: Buffer, repeat: Buffer, count: number, tail: Buffer) {
  const write = async (chunk: Buffer) => {
    if (res.destroyed) return false
    if (!res.write(chunk)) {
      // Both listeners go when either fires: one pair per wait, not one more per piece.
      const settled = new AbortController()
      const { signal } = settled
      await Promise.race([once(res, 'drain', { signal }), once(res, 'close', { signal })])
        .catch(() => {})
        .finally(() => settled.abort())
    }
    return !res.destroyed
  }
  if (!(await write(head))) return
  for (let i = 0; i < count; i++) if (!(await write(repeat))) return
  if (await write(tail)) res.end()
}

/**
 * A 200 JSON answer `[<spaces>]` that inflates to about `inflatedBytes`, sent gzip-compressed with
 * `content-encoding: gzip` (concatenated gzip members, which every gunzip reads as one stream): about a
 * thousandth of that crosses the wire.
 */
export function sendGzipBomb(res: ServerResponse, inflatedBytes: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' })
  const pieces = Math.max(1, Math.ceil(inflatedBytes / PIECE_BYTES))
  return writeRepeated(res, gzipSync('['), gzipPiece, pieces, gzipSync(']'))
}

/** A 200 JSON answer `[<spaces>]` of about `bytes` bytes, streamed uncompressed without a length. */
export function sendHugeJson(res: ServerResponse, bytes: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
  const pieces = Math.max(1, Math.ceil(bytes / PIECE_BYTES))
  return writeRepeated(res, Buffer.from('['), padding, pieces, Buffer.from(']'))
}
