/** `npm run demo`: the gateway on :6571 in front of the embedded emulator, fully offline, with a curl to try. */

import { startEmulator } from '@akashgen/emulator'
import { parseCli } from '../emulator/cli/args.ts'
import { buildApp } from '../server/app.ts'
import { ConfigError, loadConfig } from '../server/config.ts'

async function main(): Promise<void> {
  // The emulator reads EMULATOR_* variables (e.g. EMULATOR_RUN_MS=500); it takes any free port by default.
  const cli = parseCli([], { EMULATOR_PORT: '0', ...process.env })
  if (cli.kind !== 'start') throw new ConfigError(cli.kind === 'error' ? cli.message : 'unexpected --help')
  const emulator = await startEmulator(cli.options)
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, AKASHGEN_UPSTREAM_URL: emulator.url })
  const app = await buildApp({ config })
  await app.listen({ port: config.PORT, host: config.HOST })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.PORT
  const gateway = `http://localhost:${port}`
  const body = JSON.stringify({
    prompt: 'a lighthouse at dawn',
    sampler: 'DPM++ 2M Karras',
    scheduler: 'karras',
  })
  process.stdout.write(
    [
      `akashgen demo: gateway ${gateway} -> AkashGen emulator ${emulator.url} (offline)`,
      'Generate an image (it takes a few seconds, like the real service):',
      `  curl -sS -X POST ${gateway}/api/generate -H 'Content-Type: application/json' -d '${body}' -o lighthouse.webp`,
      `Health: curl -sS ${gateway}/health      Stop: Ctrl-C`,
      '',
    ].join('\n'),
  )
  const stop = async () => {
    await app.close()
    await emulator.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`akashgen demo: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
