/** How many jobs run and wait, how much one client may hold, how long a job may take and stays available. */
import { configGroup, intVar } from './define.ts'

/** Slots, queue, fair shares per client, the job deadline, retention and the image cache. */
export const jobs = configGroup(
  'Jobs and the queue',
  'A job holds one upstream slot while it runs; beyond the slots it waits in the queue. With Redis the slots and the queue are shared by the whole deployment.',
  {
    AKASHGEN_MAX_CONCURRENT: intVar({
      min: 1,
      max: 10_000,
      default: 10,
      meaning: 'upstream jobs in flight at once (for the whole deployment on Redis)',
    }),
    AKASHGEN_MAX_QUEUE: intVar({
      min: 0,
      max: 1_000_000,
      default: 100,
      meaning: 'jobs allowed to wait for a slot; beyond it `429 QUEUE_FULL` (deployment-wide on Redis)',
    }),
    AKASHGEN_MAX_JOBS_PER_CLIENT: intVar({
      min: 0,
      max: 1_000_000,
      zero: 'no per-client cap',
      unset: 'a quarter of slots + queue',
      meaning: 'jobs one client (an API key, or an address when open) may have queued or running at once',
    }),
    AKASHGEN_MAX_STREAMS_PER_CLIENT: intVar({
      min: 0,
      max: 1_000_000,
      default: 50,
      zero: 'no per-client cap',
      meaning: 'event streams (REST and tRPC) one key or address may have open',
    }),
    AKASHGEN_JOB_TIMEOUT_MS: intVar({
      unit: 'milliseconds',
      min: 1000,
      max: 3_600_000,
      default: 300_000,
      meaning: "a job's whole deadline, from acceptance to image, queueing and polling included",
    }),
    AKASHGEN_RETENTION_MS: intVar({
      unit: 'milliseconds',
      min: 1,
      max: 7 * 86_400_000,
      default: 3_600_000,
      meaning: 'how long finished jobs and their images stay available',
    }),
    AKASHGEN_IMAGE_CACHE_BYTES: intVar({
      unit: 'bytes',
      min: 0,
      max: 64 * 1024 ** 3,
      default: 256 * 1024 * 1024,
      meaning: 'memory for retained images; older ones are fetched again from the upstream when asked',
    }),
  },
)
