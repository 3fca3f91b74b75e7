// Public surface of @akashgen/emulator: start an AkashGen emulator and the types that describe it.

export { SAMPLERS, SCHEDULERS } from './comfy-names.ts'
export type { EmulatorCounters, RequestLogEntry } from './counters.ts'
export type { EmulatorJobView } from './jobs/record.ts'
export type {
  ElapsedTimeMode,
  EmulatorFaults,
  EmulatorOptions,
  Fault,
  ImageFormat,
  ResultShape,
  StatusShape,
  UnknownSamplerMode,
} from './options.ts'
export { defaultOptions } from './options.ts'
export { type Emulator, startEmulator } from './start.ts'
