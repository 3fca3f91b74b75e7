/** The process itself: how long a shutdown may take and how much it logs. */
import { configGroup, enumVar, intVar } from './define.ts'

/** The shutdown grace period and the log level. */
export const processGroup = configGroup(
  'Shutdown and logs',
  'On SIGTERM or SIGINT the gateway stops taking jobs, lets the running ones finish within the grace period, then cancels the rest (or hands them to another replica on Redis). Logs are JSON lines (pino) on stdout.',
  {
    SHUTDOWN_GRACE_MS: intVar({
      unit: 'milliseconds',
      min: 0,
      max: 600_000,
      default: 10_000,
      meaning: 'on SIGTERM/SIGINT, how long jobs in flight may finish before they are cancelled',
    }),
    LOG_LEVEL: enumVar(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      default: 'info',
      meaning: 'pino log level',
    }),
  },
)
