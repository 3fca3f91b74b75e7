/** What every JobEngine must do, whatever store backs it: a suite to run against each engine factory. */
import { GenerateInput } from '@akashgen/contract'
import type { Emulator, EmulatorOptions } from '@akashgen/emulator'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe } from 'vitest'
import type { ClientShares } from '../../server/jobs/client-shares.ts'
import { JobEngine } from '../../server/jobs/engine.ts'
import type { JobQueue } from '../../server/jobs/job-queue.ts'
import type { JobRecord } from '../../server/jobs/job-record.ts'
import type { JobStore } from '../../server/jobs/store.ts'
import { StatusPoller } from '../../server/polling/status-poller.ts'
import { createUpstreamClient, type UpstreamClient } from '../../server/upstream/client.ts'
import { resetEmulator, startTestEmulator } from '../support/emulator.ts'
import { admissionContract } from './engine-contract-admission.ts'
import { outcomesContract } from './engine-contract-outcomes.ts'
import { ownersContract } from './engine-contract-owners.ts'

/** Settings a contract test asks its engine for. */
export interface EngineSettings {
  upstreamUrl: string
  maxConcurrent: number
  maxQueue: number
  jobTimeoutMs: number
  retentionMs: number
  sweepIntervalMs: number
  /** Jobs one caller may hold; 0 is no cap. */
  maxJobsPerClient: number
}

/** An engine under test and the poller it tracks upstream jobs with. */
export interface EngineUnderTest {
  engine: JobEngine
  poller: StatusPoller
  close(): Promise<void>
}

/** Builds an engine in front of the emulator at `settings.upstreamUrl`. */
export type MakeEngine = (settings: EngineSettings) => Promise<EngineUnderTest>

/** An engine set up for one test, with shorthands that read jobs through the engine (never a stale copy). */
export interface ContractEngine extends EngineUnderTest {
  submit(prompt: string): Promise<JobRecord>
  /** Submits one job after the other, so their order in line is the order given. */
  submitAll(prompts: string[]): Promise<JobRecord[]>
  /** The job's record as the engine has it now. */
  current(jobId: string): Promise<JobRecord>
  final(jobId: string): Promise<JobRecord>
}

/** What the contract's parts share: the emulator, and engines that are closed after each test. */
export interface ContractHarness {
  readonly emulator: Emulator
  /** An engine with `settings` over the defaults, in front of the emulator set to `knobs`. */
  setup(settings?: Partial<EngineSettings>, knobs?: Partial<EmulatorOptions>): Promise<ContractEngine>
}

/** The upstream client and poller every engine uses, wired as in app.ts: real HTTP, the system clock. */
export function upstreamParts(upstreamUrl: string): { upstream: UpstreamClient; poller: StatusPoller } {
  const logger = pino({ level: 'silent' })
  const upstream = createUpstreamClient({
    baseUrl: upstreamUrl,
    submitTimeoutMs: 5000,
    statusTimeoutMs: 5000,
    imageTimeoutMs: 5000,
    maxImageBytes: 10_000_000,
    logger,
  })
  const fetchStatus = (ids: readonly string[], signal: AbortSignal) => upstream.status(ids, signal)
  const poller = new StatusPoller(fetchStatus, { statusRps: 20, coldIntervalMs: 20 }, logger)
  return { upstream, poller }
}

/** The store and queue an engine under test runs on, what it does on close, and what else to close after it. */
export interface EngineBackend {
  store: JobStore
  queue: JobQueue
  /** Where each caller's jobs are counted. */
  shares: ClientShares
  onClose: 'cancel' | 'handover'
  close?(): Promise<void>
}

/** A JobEngine on `backend` in front of the emulator, with the settings of a contract test. */
export function engineOn(settings: EngineSettings, backend: EngineBackend): EngineUnderTest {
  const { upstream, poller } = upstreamParts(settings.upstreamUrl)
  const engine = new JobEngine({
    options: {
      jobTimeoutMs: settings.jobTimeoutMs,
      sweepIntervalMs: settings.sweepIntervalMs,
      imageCacheBytes: 10_000_000,
      retentionMs: settings.retentionMs,
      maxImageDownloads: 10,
      imageSlotWaitMs: 5000,
      onClose: backend.onClose,
      maxJobsPerClient: settings.maxJobsPerClient,
    },
    upstream,
    poller,
    store: backend.store,
    queue: backend.queue,
    shares: backend.shares,
    logger: pino({ level: 'silent' }),
  })
  return {
    engine,
    poller,
    async close() {
      await engine.close()
      poller.close()
      await backend.close?.()
    },
  }
}

/** The settings every contract engine starts from (all but the upstream's URL). */
export const ENGINE_DEFAULTS: Omit<EngineSettings, 'upstreamUrl'> = {
  maxConcurrent: 2,
  maxQueue: 5,
  jobTimeoutMs: 10_000,
  retentionMs: 60_000,
  sweepIntervalMs: 60_000,
  maxJobsPerClient: 0,
}

/** Registers the engine contract suite for engines built by `makeEngine`. */
export function engineContract(name: string, makeEngine: MakeEngine): void {
  describe(`${name}: the JobEngine contract`, () => {
    let emulator: Emulator | undefined
    const open: EngineUnderTest[] = []
    beforeAll(async () => {
      emulator = await startTestEmulator()
    })
    afterAll(() => emulator?.close())
    afterEach(async () => {
      await Promise.all(open.splice(0).map((under) => under.close()))
    })

    const harness: ContractHarness = {
      get emulator() {
        if (!emulator) throw new Error('the emulator starts in beforeAll')
        return emulator
      },
      async setup(settings = {}, knobs = {}) {
        resetEmulator(harness.emulator, knobs)
        const under = await makeEngine({ upstreamUrl: harness.emulator.url, ...ENGINE_DEFAULTS, ...settings })
        open.push(under)
        const { engine } = under
        const submit = (prompt: string) => engine.submit(GenerateInput.parse({ prompt }))
        return {
          ...under,
          submit,
          async submitAll(prompts) {
            const jobs: JobRecord[] = []
            for (const prompt of prompts) jobs.push(await submit(prompt))
            return jobs
          },
          current: (jobId) => engine.require(jobId),
          final: (jobId) => engine.waitForFinal(jobId),
        }
      },
    }
    admissionContract(harness)
    outcomesContract(harness)
    ownersContract(harness)
  })
}
