// Finds the stored image behind a file name and answers with it, or with the non-image/oversized faults.
import type { ServerResponse } from 'node:http'
import type { EmulatorContext } from '../context.ts'
import type { JobRecord } from '../jobs/record.ts'
import { sendRaw } from './respond.ts'

/** The succeeded job whose image has this file name; images of running or failed jobs do not exist yet. */
export function storedImage(ctx: EmulatorContext, file: string | null): JobRecord | undefined {
  const job = file ? ctx.jobs.findByFile(file) : undefined
  return job?.phase === 'succeeded' ? job : undefined
}

/** Answers with image bytes, unless a job-level fault says to answer HTML or a huge image instead. */
export function sendImageBytes(ctx: EmulatorContext, res: ServerResponse, bytes: Buffer, mime: string) {
  const options = ctx.options()
  if (options.nonImage) {
    return sendRaw(res, 200, 'text/html; charset=utf-8', '<html><body><h1>Welcome</h1></body></html>')
  }
  if (options.oversizedImageBytes > bytes.length) {
    // A real image header followed by zeros: it looks like an image until the size cap catches it.
    const huge = Buffer.alloc(options.oversizedImageBytes)
    bytes.copy(huge)
    return sendRaw(res, 200, mime, huge)
  }
  sendRaw(res, 200, mime, bytes, { 'cache-control': 'public, max-age=31536000, immutable' })
}
