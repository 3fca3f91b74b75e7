// The bench's view of the emulator's control API: configure, reset, counters and the job list.
import type { EmulatorCounters } from '../emulator/counters.ts'
import type { EmulatorJobView } from '../emulator/jobs/record.ts'
import type { EmulatorOptions } from '../emulator/options.ts'

/** Controls one emulator process through `/__emulator/*`. */
export interface EmulatorControl {
  configure(patch: Partial<EmulatorOptions>): Promise<void>
  reset(): Promise<void>
  counters(): Promise<EmulatorCounters>
  jobs(): Promise<EmulatorJobView[]>
}

/** Creates the control client for the emulator at `url`. */
export function emulatorControl(url: string): EmulatorControl {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/__emulator/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    if (!response.ok)
      throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }
  return {
    configure: async (patch) => {
      await call('POST', 'configure', patch)
    },
    reset: async () => {
      await call('POST', 'reset')
    },
    counters: () => call('GET', 'counters'),
    jobs: () => call('GET', 'jobs'),
  }
}
