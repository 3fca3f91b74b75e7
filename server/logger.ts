/** The gateway's pino logger: JSON lines, secrets redacted. */
import { type DestinationStream, type Logger, pino } from 'pino'
import { stdoutLog } from './stdout-log.ts'

/**
 * Paths that never reach a log line: the key headers wherever a headers object is logged, and tRPC
 * `connectionParams` (a subscription's key) and an `apiKey` field wherever one is. The request log writes the
 * path without its query string, where a subscription's `connectionParams` travel.
 */
const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'connectionParams',
  '*.connectionParams',
  'apiKey',
  '*.apiKey',
]

/** Creates the logger, writing to stdout (see stdout-log.ts) unless given a `destination` (tests capture lines). */
export function createLogger(level: string, destination: DestinationStream = stdoutLog()): Logger {
  const options = { level, redact: { paths: REDACTED, censor: '[redacted]' }, base: { service: 'akashgen' } }
  return pino(options, destination)
}
