/** How every upstream call is made: through the circuit breaker, reported to the observers, retried when safe. */

import type { CircuitPermit } from './circuit-breaker.ts'
import type { UpstreamClientOptions } from './client-options.ts'
import { outcomeOf, type UpstreamOperation, type UpstreamOutcome } from './request.ts'
import { RETRY_RULES, withRetries } from './retry.ts'

/** `observed` runs one attempt; `retried` repeats it when its failure is safe to repeat (submit, status). */
export function guardedCalls(
  options: Pick<UpstreamClientOptions, 'observers' | 'circuit' | 'retry' | 'logger'>,
) {
  const { circuit, retry, logger } = options
  const report = (endpoint: UpstreamOperation, outcome: UpstreamOutcome) => {
    for (const observer of options.observers ?? []) observer.request(endpoint, outcome)
  }

  /** Runs one upstream call if the breaker lets it through, and tells the breaker and observers how it ended. */
  async function observed<T>(
    endpoint: UpstreamOperation,
    signal: AbortSignal | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    let permit: CircuitPermit | undefined
    try {
      permit = circuit?.admit(endpoint)
    } catch (refused) {
      report(endpoint, 'circuit_open')
      throw refused
    }
    try {
      const value = await call()
      if (permit) circuit?.settle(permit, 'ok')
      report(endpoint, 'ok')
      return value
    } catch (error) {
      const outcome = outcomeOf(error, signal)
      if (permit) circuit?.settle(permit, outcome)
      report(endpoint, outcome)
      throw error
    }
  }

  /** `observed`, repeated by the endpoint's retry rule; no attempt starts after `deadlineAt` (epoch ms). */
  function retried<T>(
    endpoint: UpstreamOperation,
    signal: AbortSignal | undefined,
    deadlineAt: number | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    const attempt = () => observed(endpoint, signal, call)
    const decide = RETRY_RULES[endpoint]
    if (!decide || !retry || retry.retries === 0) return attempt()
    return withRetries(attempt, {
      policy: retry,
      decide,
      signal,
      deadlineAt,
      onRetry: (attempt, delayMs, error) =>
        logger.info(
          {
            operation: endpoint,
            retry: attempt,
            delayMs,
            reason: error instanceof Error ? error.message : error,
          },
          'upstream call retried',
        ),
    })
  }

  return { observed, retried }
}
