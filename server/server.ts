/** The gateway process: read the config, listen, and shut down gracefully on SIGINT and SIGTERM (drain, then close). */
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { createLogger } from './logger.ts'
import { stdoutLog } from './stdout-log.ts'

/** How long the last log lines get to reach stdout before the process exits anyway. */
const LOG_CLOSE_MS = 1000

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`akashgen: ${error.message}\n`)
    process.exit(1)
  }
  const log = stdoutLog()
  const logger = createLogger(config.LOG_LEVEL, log)
  // The log closes first: pino's exit-time flush of a line in flight to a dead stdout never returns (stdout-log.ts).
  const exit = async (code: number) => {
    await log.close(LOG_CLOSE_MS)
    process.exit(code)
  }
  const app = await buildApp({ config, logger })
  await app.listen({ port: config.PORT, host: config.HOST })

  let stopping = false
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    const { engine, shutdown } = app
    const graceMs = config.SHUTDOWN_GRACE_MS
    // From now on: new API requests get 503 SHUTTING_DOWN, /ready answers 503; jobs in flight go on.
    shutdown.begin()
    logger.info({ signal, graceMs, activeJobs: engine.active }, 'shutting down')
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting')
      void exit(1)
    }, graceMs + 5000)
    if (!(await engine.idle(AbortSignal.timeout(graceMs)))) {
      // Jobs still running are cancelled with SHUTTING_DOWN (memory) or handed over to another replica (Redis).
      logger.info({ activeJobs: engine.active }, 'grace period over')
      await engine.close()
    }
    // Callers still waiting for a job here (a handed-over one) are answered SHUTTING_DOWN; streams end.
    shutdown.endGrace()
    await app.close()
    clearTimeout(hardStop)
    logger.info('stopped')
    await exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `akashgen: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
