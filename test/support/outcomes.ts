/** What a tRPC call or a job came to, for tests: a call's gateway error code, a job's final status. */
import { TRPCClientError } from '@trpc/client'
import { expect, vi } from 'vitest'
import { type AkashGenClient, isFinalStatus, type JobStatus } from '../../client/index.ts'

/** 'accepted' when the call succeeded, else the gateway's code of its error (`data.errorCode`). */
export const outcomeOf = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => 'accepted',
    (error: unknown) => {
      expect(error).toBeInstanceOf(TRPCClientError)
      return ((error as TRPCClientError<never>).data as unknown as { errorCode: string }).errorCode
    },
  )

/** Resolves with the job's status once it is final, reading it through `client` as its caller. */
export async function finalStatus(client: AkashGenClient, jobId: string): Promise<JobStatus> {
  let status: JobStatus = 'queued'
  await vi.waitFor(
    async () => {
      status = (await client.jobStatus.query({ jobId })).status
      expect(isFinalStatus(status), `job ${jobId} is still ${status}`).toBe(true)
    },
    { timeout: 10_000, interval: 20 },
  )
  return status
}
