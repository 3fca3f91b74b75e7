/** The JobEngine's settings, dependencies and reports: what the process wiring and the metrics see of it. */
import type { Logger } from 'pino'
import type { StatusPoller } from '../polling/status-poller.ts'
import type { UpstreamClient } from '../upstream/client.ts'
import type { ClientShares } from './client-shares.ts'
import type { JobQueue } from './job-queue.ts'
import type { JobRecord } from './job-record.ts'
import type { JobStore } from './store.ts'

/** Engine settings, taken from the configuration. */
export interface JobEngineOptions {
  jobTimeoutMs: number
  /** How often finished records past retention are dropped. */
  sweepIntervalMs: number
  /** Bytes of finished images this process keeps for downloads. */
  imageCacheBytes: number
  /** How long a finished job (and so its cached image) stays available. */
  retentionMs: number
  /** Upstream image downloads at once, across jobs (one per job however many callers); the rest wait. */
  maxImageDownloads: number
  /** Longest wait for a download slot before UPSTREAM_TIMEOUT. */
  imageSlotWaitMs: number
  /**
   * What `close()` does with unfinished jobs: 'cancel' them (one process, nobody else could finish them), or
   * 'handover' the ones this process runs, so another replica sharing the store resumes them.
   */
  onClose: 'cancel' | 'handover'
  /** Jobs one client may have queued or running at once (`maxJobsPerClient(config)`); 0 or unset: no cap. */
  maxJobsPerClient?: number
}

/** What the engine works with. */
export interface JobEngineDeps {
  options: JobEngineOptions
  upstream: UpstreamClient
  poller: StatusPoller
  store: JobStore
  queue: JobQueue
  /** Each client's jobs, for `maxJobsPerClient` (the backend's; in memory when not given). */
  shares?: ClientShares
  logger: Logger
  /** Told of each job's milestones in this process, e.g. for metrics. */
  observer?: JobObserver
}

/** What the engine reports of the jobs this process handles; timestamps are the record's own (ms). */
export interface JobObserver {
  /** The job took a slot here for the first time (`startedAt` is set; a resumed job is not reported again). */
  started(job: JobRecord): void
  /** The upstream finished the job (succeeded or failed) and the gateway saw it at `upstreamEndedAt`; `job` is final. */
  upstreamFinished(job: JobRecord, upstreamEndedAt: number): void
  /** This process made the job final, whatever its status. */
  finished(job: JobRecord): void
}

/** Counts for health and metrics (deployment-wide when the store is shared). */
export interface EngineStats {
  slotsInUse: number
  maxConcurrent: number
  queued: number
  maxQueue: number
  retained: number
}
