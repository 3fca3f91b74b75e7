// What every route of one emulator shares: its options, counters, jobs, images and timers.
import type { EmulatorCounters } from './counters.ts'
import type { ImageStore } from './images/store.ts'
import type { JobBook } from './jobs/book.ts'
import type { EmulatorOptions } from './options.ts'
import type { TimerSet } from './timers.ts'

/** The state of one running emulator, passed to each route. */
export interface EmulatorContext {
  /** The current options; faults in it are consumed as they are played. */
  options(): EmulatorOptions
  /** Merges and checks a patch; throws a TypeError naming a bad key. */
  configure(patch: Partial<EmulatorOptions>): void
  counters: EmulatorCounters
  jobs: JobBook
  images: ImageStore
  timers: TimerSet
}
