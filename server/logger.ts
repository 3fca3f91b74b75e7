/** The gateway's pino logger: JSON lines, secrets redacted. */
import { type Logger, pino } from 'pino'

/** Header paths that never reach a log line, wherever a headers object is logged. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
]

/** Creates the logger; `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACTED, censor: '[redacted]' }, base: { service: 'akashgen' } }
  return destination ? pino(options, destination) : pino(options)
}
