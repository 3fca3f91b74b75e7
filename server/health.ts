/** The health report shared by `GET /health` and the tRPC `health` query. */
import type { Health, Readiness } from '@akashgen/contract'
import type { AppServices } from './services.ts'
import { VERSION } from './version.ts'

/** Builds the report from the engine's live counts; a store that is down makes it `degraded`, not an error. */
export async function healthReport({
  config,
  engine,
  store,
  circuit,
  startedAt,
}: AppServices): Promise<Health> {
  // A store that can not answer shows here as `degraded`; its connection logs the outage itself.
  const stats = await engine.stats().catch(() => undefined)
  const storeHealth = store.health()
  const ready = storeHealth.state === 'up' && stats !== undefined
  return {
    status: ready ? 'ok' : 'degraded',
    ready,
    version: VERSION,
    upstream: config.AKASHGEN_UPSTREAM_URL,
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
    store: storeHealth,
    ...(stats && {
      slots: { inUse: stats.slotsInUse, max: stats.maxConcurrent },
      queue: { length: stats.queued, max: stats.maxQueue },
      jobs: { retained: stats.retained },
    }),
    upstreamState: circuit.state(),
  }
}

/**
 * Readiness from the health report: not ready while the job store is down, the line is full, or the upstream
 * is unreachable (`upstreamState` is `down`: the circuit breaker is open and cooling down).
 */
export function readiness(health: Health): Readiness {
  const reasons: string[] = []
  if (health.store.state === 'down') reasons.push(`the job store (${health.store.kind}) is unreachable`)
  else if (!health.ready) reasons.push('the job store does not answer')
  if (health.queue && health.queue.max > 0 && health.queue.length >= health.queue.max)
    reasons.push(`the line is full (${health.queue.length} of ${health.queue.max} jobs waiting)`)
  if (health.upstreamState === 'down')
    reasons.push(
      `the upstream (${health.upstream}) is unreachable: its latest requests all failed (circuit open)`,
    )
  return { ready: reasons.length === 0, reasons }
}
