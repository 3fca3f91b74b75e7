// Reads what bench/probe.mjs writes in a server under test, and asks it to start a fresh measurement.

import type { ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import type { ProbeSample } from './probe-sample.ts'

const WAIT_MS = 3000

/** The probe file of one server process. */
export interface ProbeReader {
  /** The first sample written at or after `epochMs`. */
  sampleAfter(epochMs: number): Promise<ProbeSample>
  /**
   * Resets the event-loop histogram and the RSS peak (SIGUSR2) and waits until the probe has done it;
   * `collect`: after a full garbage collection (the idle reading), else as the heap is (a window under load).
   */
  reset(options: { collect: boolean }): Promise<ProbeSample>
}

/** Reads the probe of `child`, which writes to `file`. */
export function probeReader(child: ChildProcess, file: string): ProbeReader {
  const waitFor = async (ok: (sample: ProbeSample) => boolean, what: string): Promise<ProbeSample> => {
    const deadline = Date.now() + WAIT_MS
    for (;;) {
      const sample = await readSample(file)
      if (sample && ok(sample)) return sample
      if (Date.now() > deadline)
        throw new Error(`probe in pid ${child.pid}: no sample ${what} within ${WAIT_MS} ms`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return {
    sampleAfter: (epochMs) => waitFor((sample) => sample.at >= epochMs, 'after the window'),
    reset: async ({ collect }) => {
      const before = await waitFor(() => true, 'at all')
      await writeFile(`${file}.request`, collect ? 'collect' : 'reset')
      child.kill('SIGUSR2')
      return waitFor((sample) => sample.resets > before.resets, 'after SIGUSR2')
    },
  }
}

async function readSample(file: string): Promise<ProbeSample | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ProbeSample
  } catch {
    return undefined
  }
}
