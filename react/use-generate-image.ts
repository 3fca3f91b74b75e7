/** useGenerateImage: submit a prompt and follow its job to an image shown from an object URL. */
import { type GenerateInput, isFinalStatus, toAkashGenError } from '@akashgen/client'
import { useMutation } from '@tanstack/react-query'
import { useCallback, useEffect, useMemo } from 'react'
import { useJobLifetime } from './job-lifetime.ts'
import { useAkashGenTRPC } from './trpc.ts'
import { type JobState, useJob } from './use-job.ts'

/** Options of useGenerateImage. */
export interface UseGenerateImageOptions {
  /**
   * Leave a running job running on the gateway when the component unmounts, on `reset()` and on the next
   * `generate()`. Default false: the job is cancelled, so an abandoned page does not hold a gateway slot.
   */
  keepRunning?: boolean
}

/** `idle` before generate() and after reset(), `submitting` until the gateway accepts it, then the job's own. */
export type GenerateStatus = 'idle' | 'submitting' | NonNullable<JobState['status']>

/** What useGenerateImage returns. */
export interface GenerateImageState extends Omit<JobState, 'status'> {
  status: GenerateStatus
  /** Submits `input` and follows the new job (the job followed so far is abandoned: see `keepRunning`). */
  generate(input: GenerateInput): void
  /** Cancels the job on the gateway; its status becomes `cancelled` when the gateway confirms. */
  cancel(): void
  /** Forgets the job, its image (the object URL is revoked) and any error: back to `idle`. */
  reset(): void
}

/**
 * Generates an image with live progress: `generate(input)` submits it, then `status`, `progress` (queue place,
 * worker, elapsed time) and finally `imageUrl` follow the job. Errors (a refused input, a failed job) arrive in
 * `error` as an AkashGenError with the gateway's code; `fieldErrorsOf(error)` names the fields. Unmounting while
 * the job runs cancels it on the gateway, unless `keepRunning`.
 */
export function useGenerateImage(options: UseGenerateImageOptions = {}): GenerateImageState {
  const trpc = useAkashGenTRPC()
  const lifetime = useJobLifetime(options.keepRunning ?? false)
  const submission = useMutation(
    trpc.generate.mutationOptions({
      onMutate: () => lifetime.begin(),
      // The mutation's own callback: it runs even after an unmount or reset, so an abandoned job is cancelled.
      onSuccess: (accepted, _input, generation) => lifetime.accepted(accepted.jobId, generation),
    }),
  )
  const cancelling = useMutation(trpc.cancel.mutationOptions())
  const jobId = submission.data?.jobId
  const state = useJob(jobId)
  const running = submission.isPending || (jobId !== undefined && !isFinalStatus(state.status ?? 'queued'))
  lifetime.track(running ? jobId : undefined, running)
  useEffect(() => lifetime.abandon, [lifetime])

  const { mutate: submit, reset: resetSubmission } = submission
  const { mutate: cancelJob, reset: resetCancelling } = cancelling
  const generate = useCallback(
    (input: GenerateInput) => {
      resetCancelling()
      submit(input)
    },
    [submit, resetCancelling],
  )
  const cancel = useCallback(() => {
    const running = lifetime.cancelRequested()
    if (running) cancelJob({ jobId: running })
  }, [lifetime, cancelJob])
  const reset = useCallback(() => {
    lifetime.abandon()
    resetSubmission()
    resetCancelling()
  }, [lifetime, resetSubmission, resetCancelling])

  const failure = submission.error ?? cancelling.error
  const error = useMemo(() => (failure ? toAkashGenError(failure) : null), [failure])
  const status: GenerateStatus = submission.isPending
    ? 'submitting'
    : (state.status ?? (jobId ? 'queued' : 'idle'))
  return { ...state, status, error: error ?? state.error, generate, cancel, reset }
}
