// The emulator's command line: parse flags, start, print the URL, and stop cleanly on SIGINT/SIGTERM.
import { parseCli, USAGE } from './cli/args.ts'
import { startEmulator } from './start.ts'

/** Runs the CLI; resolves once the emulator is listening. */
async function main(): Promise<void> {
  const request = parseCli(process.argv.slice(2), process.env)
  if (request.kind === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (request.kind === 'error') {
    process.stderr.write(`akashgen-emulator: ${request.message}\n`)
    process.exitCode = 2
    return
  }
  const emulator = await startEmulator(request.options)
  const example = `curl -s -X POST ${emulator.url}/api/generate -H 'content-type: application/json' -d '{"prompt":"a red fox"}'`
  process.stdout.write(`AkashGen emulator listening on ${emulator.url}  (try: ${example})\n`)
  const stop = () => {
    emulator.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: Error) => {
  process.stderr.write(`akashgen-emulator: ${error.message}\n`)
  process.exit(1)
})
