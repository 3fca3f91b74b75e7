/** The gateway process: read the config, listen, and shut down gracefully on SIGINT and SIGTERM. */
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { createLogger } from './logger.ts'

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`akashgen: ${error.message}\n`)
    process.exit(1)
  }
  const logger = createLogger(config.LOG_LEVEL)
  const app = await buildApp({ config, logger })
  await app.listen({ port: config.PORT, host: config.HOST })

  let stopping = false
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    const graceMs = config.SHUTDOWN_GRACE_MS
    logger.info({ signal, graceMs, activeJobs: app.services.engine.active }, 'shutting down')
    // In-flight requests get the grace period to finish; then their jobs are cancelled so they answer too.
    const grace = setTimeout(() => void app.services.engine.close(), graceMs)
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting')
      process.exit(1)
    }, graceMs + 5000)
    await app.close()
    clearTimeout(grace)
    clearTimeout(hardStop)
    logger.info('stopped')
    process.exit(0)
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
