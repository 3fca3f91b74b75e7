/** HTTP over a raw `node:net` socket, for requests fetch can not send: slow or missing bodies, odd headers. */
import { request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'

/** What the server did with the request: its answer's status and text (if any), and whether it closed. */
export interface RawOutcome {
  status: number | undefined
  text: string
  closed: boolean
  socket: Socket
}

/**
 * Opens a connection to `url`, writes `request` (the head and whatever body the test wants sent), and resolves
 * once the server has answered (a whole head arrived) or closed the connection. The caller destroys `socket`.
 */
export function sendRaw(url: string, request: string | Buffer): Promise<RawOutcome> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(request))
    let text = ''
    const done = (closed: boolean) => {
      const status = text.match(/^HTTP\/1\.1 (\d{3})/)?.[1]
      resolve({ status: status === undefined ? undefined : Number(status), text, closed, socket })
    }
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
      const headEnd = text.indexOf('\r\n\r\n')
      if (headEnd < 0) return
      const length = Number(text.slice(0, headEnd).match(/\r\ncontent-length: (\d+)/i)?.[1] ?? 0)
      if (Buffer.byteLength(text.slice(headEnd + 4), 'latin1') >= length) done(false)
    })
    socket.on('error', () => {})
    socket.once('close', () => done(true))
  })
}

/** Resolves when the server closes `socket` (an `error` such as ECONNRESET counts: the server dropped it). */
export function closedByServer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve()
    socket.on('error', () => {})
    socket.once('close', () => resolve())
  })
}

/** The JSON body of a raw answer (after its head), for answers that are not chunked. */
export function rawJson(text: string): unknown {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))
}

/**
 * A request through `node:http`, which lets a test set what fetch may not: a `Host` header, or a header sent
 * twice (an array value becomes repeated header lines).
 */
export function nodeRequest(
  url: string,
  options: { method?: string; headers: Record<string, string | string[]> },
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, options, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}
