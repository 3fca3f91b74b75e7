/** A small server-sent-events reader for tests: a `fetch` response body in, messages and comments out. */

/** One dispatched SSE message. */
export interface SseMessage {
  id: string | undefined
  event: string
  data: string
}

/** What a stream carried, and whether it ended (the server closed the body) rather than being left. */
export interface SseStream {
  messages: SseMessage[]
  comments: string[]
  ended: boolean
}

/**
 * Reads `response`'s body as `text/event-stream` (the WHATWG parsing rules we rely on: `field: value` lines,
 * `:` comments, a blank line dispatches), calling `onMessage` for each message. Stops early, without
 * marking the stream ended, once `onMessage` returns `false`.
 */
export async function readSse(
  response: Response,
  onMessage: (message: SseMessage) => boolean | undefined = () => undefined,
): Promise<SseStream> {
  const stream: SseStream = { messages: [], comments: [], ended: false }
  if (!response.body) throw new Error('the response has no body')
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  let current: { id?: string; event?: string; data: string[] } = { data: [] }
  try {
    for (;;) {
      const chunk = await reader.read()
      if (chunk.done) {
        stream.ended = true
        return stream
      }
      buffer += chunk.value
      const lines = buffer.split(/\r\n|\r|\n/)
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        if (line === '') {
          if (current.data.length === 0 && current.event === undefined) continue
          const message = { id: current.id, event: current.event ?? 'message', data: current.data.join('\n') }
          current = { data: [] }
          stream.messages.push(message)
          if (onMessage(message) === false) return stream
          continue
        }
        if (line.startsWith(':')) {
          stream.comments.push(line.slice(1).trim())
          continue
        }
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'data') current.data.push(value)
        else if (field === 'event') current.event = value
        else if (field === 'id') current.id = value
      }
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
}

/** Opens `url` as an event stream and reads it to its end (or until `onMessage` returns `false`). */
export async function fetchSse(
  url: string,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  onMessage?: (message: SseMessage) => boolean | undefined,
): Promise<SseStream & { response: Response }> {
  const response = await fetch(url, { ...init, headers: { accept: 'text/event-stream', ...init.headers } })
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`)
  return { response, ...(await readSse(response, onMessage)) }
}
