/** The gateway's log destination: stdout, written asynchronously; a stdout that fails drops lines, never the gateway. */
import { writeSync } from 'node:fs'
import { type DestinationStream, pino } from 'pino'

/** pino's destination for stdout, and how to close it before the process exits. */
export interface StdoutLog extends DestinationStream {
  /**
   * Writes the lines still buffered, then closes. Resolves when that is done, when stdout fails, or after
   * `timeoutMs` (the rest is dropped): the caller can exit right after, without hanging on a dead stdout.
   */
  close(timeoutMs: number): Promise<void>
}

/** One line on stderr, best effort: stderr may be the same dead pipe, and saying so must not fail either. */
function note(text: string): void {
  try {
    writeSync(2, `akashgen: ${text}\n`)
  } catch {
    // Nowhere left to say it.
  }
}

/**
 * Creates the destination: pino's own for stdout (sonic-boom, asynchronous: writes happen off the request path),
 * with two differences. A write error (EPIPE when the reader of a pipe went away; EIO, ENOSPC…) stops the logging,
 * not the gateway: lines are dropped from then on and stderr says so once, because a dead log reader is no reason
 * to refuse callers. And `close()`, for the exit: pino flushes its destination synchronously in process.exit, and
 * sonic-boom 4 retries a synchronous write that failed with anything but EAGAIN every 100 ms, for ever; exiting
 * with a line still in flight to a dead pipe (the shutdown's own lines) would hang inside process.exit.
 */
export function stdoutLog(): StdoutLog {
  // Node opens its stdout stream on first use, which makes a pipe on fd 1 non-blocking (pino's default
  // destination did so too): a reader that stops reading then fails a write with EAGAIN, retried on a timer,
  // instead of holding a libuv thread in write(2), which would also hold the process at exit.
  void process.stdout
  const stream = pino.destination({ dest: 1, sync: false })
  let failed = false
  let closed: Promise<void> | undefined
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (failed) return
    failed = true
    // Drops what is buffered and marks the stream destroyed, so pino's exit-time flush skips it (pino already
    // neutralises the stream itself on EPIPE; this covers the other errors).
    stream.destroy()
    note(`stdout failed (${error.code ?? error.message}): log lines are dropped from now on`)
  })
  const close = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      if (failed) return resolve()
      const done = () => {
        clearTimeout(timer)
        stream.off('close', done)
        stream.off('error', done)
        resolve()
      }
      // A stdout that takes no more (its reader alive but not reading): drop the rest rather than wait.
      const timer = setTimeout(() => {
        stream.destroy()
        note(`stdout took no log lines for ${timeoutMs} ms: the last ones are dropped`)
        done()
      }, timeoutMs)
      stream.once('close', done)
      stream.once('error', done)
      stream.end()
    })
  return {
    write(line: string) {
      // After close() began, lines are dropped: the stream may already be destroyed, and writing to it throws.
      if (!failed && !closed) stream.write(line)
    },
    close(timeoutMs: number) {
      closed ??= close(timeoutMs)
      return closed
    },
  }
}
