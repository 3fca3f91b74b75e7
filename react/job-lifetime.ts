/** Which job useGenerateImage follows, and cancelling it on the gateway when it is abandoned. */
import { useMemo, useRef } from 'react'
import { useAkashGenClient } from './trpc.ts'

/**
 * Each generate() starts a generation; unmount, reset() and the next generate() abandon the job followed so
 * far. An abandoned job still running is cancelled unless `keepRunning`; one still being submitted is cancelled
 * once the gateway accepts it (its generation is then stale).
 */
export function useJobLifetime(keepRunning: boolean) {
  const client = useAkashGenClient()
  const latest = useRef({ keepRunning, client })
  latest.current = { keepRunning, client }
  const followed = useRef({
    generation: 0,
    jobId: undefined as string | undefined,
    running: false,
    cancel: false,
  })
  return useMemo(() => {
    const cancel = (jobId: string) => void latest.current.client.cancel.mutate({ jobId }).catch(() => {})
    const abandon = () => {
      const { jobId, running } = followed.current
      if (jobId && running && !latest.current.keepRunning) cancel(jobId)
      followed.current = {
        generation: followed.current.generation + 1,
        jobId: undefined,
        running: false,
        cancel: false,
      }
    }
    return {
      /** Records the job the hook shows now (called on each render). */
      track(jobId: string | undefined, running: boolean) {
        followed.current.jobId = jobId
        followed.current.running = running
      },
      /** A new generate(): the job so far is abandoned; returns the new generation. */
      begin(): number {
        abandon()
        return followed.current.generation
      },
      /** The gateway accepted generation `generation`'s job. */
      accepted(jobId: string, generation: number | undefined) {
        const stale = generation !== followed.current.generation
        if (stale ? !latest.current.keepRunning : followed.current.cancel) cancel(jobId)
      },
      /** The running job's id, or undefined while submitting (then it is cancelled once accepted). */
      cancelRequested(): string | undefined {
        if (followed.current.jobId) return followed.current.jobId
        followed.current.cancel = true
        return undefined
      },
      /** Unmount or reset(). */
      abandon,
    }
  }, [])
}
