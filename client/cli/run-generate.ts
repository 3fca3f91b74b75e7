/** Runs one generate command: the job with live progress, Ctrl-C and --timeout, the image written, an exit code. */
import type { ErrorCode, Job } from '@akashgen/contract'
import { toAkashGenError } from '../errors.ts'
import { type GeneratedImage, generateImage } from '../generate-image.ts'
import { type AkashGenClientOptions, createAkashGenClient } from '../trpc-client.ts'
import type { GenerateCommand } from './args.ts'
import { EXIT, exitCodeFor } from './exit-codes.ts'
import { defaultFileName, formatBytes, writeGivenFile, writeNewFile, writeToStream } from './output.ts'
import { createProgressReporter } from './progress-line.ts'

/** Why the CLI stopped the job itself, when it did. */
type StopReason = 'interrupted' | 'timeout'

/** Generates the image `command` asks for; resolves with the exit code. Progress and messages go to stderr. */
export async function runGenerate(command: GenerateCommand): Promise<number> {
  const controller = new AbortController()
  let stopReason: StopReason | undefined
  const stopJob = (reason: StopReason) => {
    stopReason ??= reason
    controller.abort(new Error(`akashgen was ${reason === 'timeout' ? 'timed out' : 'interrupted'}`))
  }
  const onInterrupt = () => {
    // A second Ctrl-C does not wait for the gateway to confirm the cancel.
    if (stopReason === 'interrupted') process.exit(EXIT.interrupted)
    stopJob('interrupted')
  }
  process.on('SIGINT', onInterrupt)
  const timer =
    command.timeoutMs === undefined ? undefined : setTimeout(() => stopJob('timeout'), command.timeoutMs)
  const progress = createProgressReporter(process.stderr)
  let lastJob: Job | undefined
  try {
    const image = await generateImage(command.input, {
      ...clientOptions(command),
      signal: controller.signal,
      onStatus: (job) => {
        lastJob = job
        progress.onStatus(job)
      },
    })
    progress.stop()
    await deliver(command, image)
    return EXIT.done
  } catch (error) {
    progress.stop()
    return await reportFailure(command, error, stopReason, lastJob)
  } finally {
    clearTimeout(timer)
    process.off('SIGINT', onInterrupt)
    progress.stop()
  }
}

/** Writes the image where it was asked for (and the job view with --json), saying where on stderr. */
async function deliver(command: GenerateCommand, image: GeneratedImage): Promise<void> {
  const size = formatBytes(image.bytes.byteLength)
  if (command.output === '-') {
    await writeToStream(process.stdout, image.bytes)
    note(`wrote ${size} of ${image.contentType} to stdout`)
  } else if (command.output !== undefined || !command.json) {
    const path =
      command.output === undefined
        ? await writeNewFile(image.bytes, (copy) =>
            defaultFileName(command.input.prompt, image.job.jobId, image.contentType, copy),
          )
        : await writeGivenFile(command.output, image.bytes)
    note(`wrote ${path} (${size})`)
  }
  if (command.json) await writeToStream(process.stdout, `${JSON.stringify(image.job, null, 2)}\n`)
}

/** Says what went wrong (on stderr, and as JSON on stdout with --json) and picks the exit code. */
async function reportFailure(
  command: GenerateCommand,
  thrown: unknown,
  stopReason: StopReason | undefined,
  lastJob: Job | undefined,
): Promise<number> {
  const error = toAkashGenError(thrown)
  let job = error.job ?? lastJob
  let code: ErrorCode = error.code
  let message = error.message
  let exitCode = exitCodeFor(error.code)
  if (stopReason === 'interrupted') {
    message = job ? `interrupted: cancelled job ${job.jobId}` : 'interrupted'
    exitCode = EXIT.interrupted
  } else if (stopReason === 'timeout') {
    code = 'JOB_TIMEOUT'
    message = `gave up after ${(command.timeoutMs ?? 0) / 1000} s (--timeout)${job ? `: cancelled job ${job.jobId}` : ''}`
    exitCode = EXIT.timedOut
  } else {
    const unreachable = unreachableReason(thrown)
    if (unreachable) message = `cannot reach the gateway at ${command.url}: ${unreachable}`
  }
  note(`${code}: ${message}`)
  if (command.json) {
    // The job was seen last while still going; after the cancel the gateway has its final view.
    if (stopReason && job) job = await viewOf(command, job)
    await writeToStream(process.stdout, `${JSON.stringify({ ...job, error: { code, message } }, null, 2)}\n`)
  }
  return exitCode
}

/** The gateway's current view of a job, or `job` itself when it cannot tell. */
async function viewOf(command: GenerateCommand, job: Job): Promise<Job> {
  const client = createAkashGenClient(clientOptions(command))
  return client.jobStatus.query({ jobId: job.jobId }).catch(() => job)
}

/** The gateway's URL, and the API key on every call (tRPC, events and the image). */
function clientOptions(command: GenerateCommand): AkashGenClientOptions {
  return { url: command.url, ...(command.apiKey ? { apiKey: command.apiKey } : {}) }
}

/** Why the gateway could not be reached (e.g. "connect ECONNREFUSED ..."), when that is what happened. */
function unreachableReason(error: unknown): string | undefined {
  let fetchFailed = false
  let deepest: Error | undefined
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; depth++) {
    // Node's fetch rejects with TypeError("fetch failed") and the socket's own error as its cause.
    if (cause instanceof TypeError && cause.message === 'fetch failed') fetchFailed = true
    deepest = cause
    cause = cause.cause
  }
  return fetchFailed ? deepest?.message : undefined
}

/** One line for the person at the terminal, on stderr. */
function note(text: string): void {
  process.stderr.write(`akashgen: ${text}\n`)
}
