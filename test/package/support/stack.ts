/** The running side of the package check: the INSTALLED emulator's bin, and the repo's gateway in front of it. */
import { join } from 'node:path'
import type { Emulator, EmulatorJobView } from '../../../emulator/index.ts'
import { servedImage } from '../../support/emulator.ts'
import { startGateway, type TestGateway } from '../../support/gateway.ts'
import { type Started, startUntil } from './run.ts'

/** An emulator started from the scratch project's `akashgen-emulator` bin, and a gateway using it. */
export interface Stack {
  emulatorUrl: string
  gateway: TestGateway
  /** The bytes the emulator served for the job it ran for `prompt`. */
  servedFor(prompt: string): Promise<Buffer>
  close(): Promise<void>
}

/** Starts the installed emulator bin (fast timings, small images) on a free port, then the gateway. */
export async function startStack(scratchDir: string): Promise<Stack> {
  const bin = join(scratchDir, 'node_modules', '.bin', 'akashgen-emulator')
  const flags = ['--port', '0', '--queue-ms', '20', '--run-ms', '60', '--workers', '8', '--image-size', '64']
  const emulator: Started = await startUntil(bin, flags, /listening on (http:\/\/\S+)/, { cwd: scratchDir })
  const emulatorUrl = emulator.match[1] as string
  const gateway = await startGateway({ AKASHGEN_UPSTREAM_URL: emulatorUrl }).catch(async (error) => {
    await emulator.stop()
    throw error
  })
  return {
    emulatorUrl,
    gateway,
    servedFor: async (prompt) => {
      const jobs = (await (await fetch(`${emulatorUrl}/__emulator/jobs`)).json()) as EmulatorJobView[]
      const job = jobs.filter((j) => j.prompt === prompt).at(-1)
      if (!job) throw new Error(`the emulator never saw the prompt ${JSON.stringify(prompt)}`)
      // servedImage reads only the emulator's url: the emulator runs in another process here.
      return (await servedImage({ url: emulatorUrl } as Emulator, job)).bytes
    },
    close: async () => {
      await gateway.close()
      await emulator.stop()
    },
  }
}
