/** Starts the real gateway on a loopback port against an emulator, for integration tests. */
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { createLogger } from '../../server/logger.ts'

/** A running gateway and the log lines it wrote. */
export interface TestGateway {
  url: string
  app: FastifyInstance
  logs: Record<string, unknown>[]
  close(): Promise<void>
}

/** Builds and listens on 127.0.0.1:0; `env` is the same environment the process would read. */
export async function startGateway(env: Record<string, string>): Promise<TestGateway> {
  const config = loadConfig({ AKASHGEN_POLL_INTERVAL_MS: '20', LOG_LEVEL: 'debug', ...env })
  const logs: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line))
      done()
    },
  })
  const app = await buildApp({ config, logger: createLogger(config.LOG_LEVEL, sink) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, app, logs, close: () => app.close() }
}
