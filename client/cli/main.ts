/** The `akashgen` program: reads the command line, then prints help or the version, or generates an image. */
import packageJson from '../package.json' with { type: 'json' }
import { parseCommandLine, UsageError } from './args.ts'
import { EXIT } from './exit-codes.ts'
import { HELP } from './help.ts'
import { writeToStream } from './output.ts'
import { runGenerate } from './run-generate.ts'

/** Runs `akashgen` with `argv` (without node and the script) and `env`; resolves with the exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let command: ReturnType<typeof parseCommandLine>
  try {
    command = parseCommandLine(argv, env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`akashgen: ${error.message}\nRun "akashgen --help" for usage.\n`)
    return EXIT.badInput
  }
  if (command.kind === 'help') {
    await writeToStream(process.stdout, `${HELP}\n`)
    return EXIT.done
  }
  if (command.kind === 'version') {
    await writeToStream(process.stdout, `akashgen ${packageJson.version}\n`)
    return EXIT.done
  }
  return runGenerate(command)
}
