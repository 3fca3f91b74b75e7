// Writing answers and reading request bodies on plain node:http objects.
import type { IncomingMessage, ServerResponse } from 'node:http'

const MAX_BODY_BYTES = 1024 * 1024

/** Answers with a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  sendRaw(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers)
}

/** Answers with a plain-text body, the way Next's image optimiser reports errors. */
export function sendText(res: ServerResponse, status: number, text: string) {
  sendRaw(res, status, 'text/plain; charset=utf-8', text)
}

/** Answers with raw bytes or text of the given Content-Type. */
export function sendRaw(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(body)
}

/** Reads the whole request body as text; rejects bodies over 1 MiB. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new RangeError('body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
