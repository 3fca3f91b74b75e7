/** The health report shared by `GET /health` and the tRPC `health` query. */
import type { Health } from '@akashgen/client/contract'
import type { AppServices } from './services.ts'
import { VERSION } from './version.ts'

/** Builds the report from the engine's live counts; a store that is down makes it `degraded`, not an error. */
export async function healthReport({ config, engine, store, startedAt }: AppServices): Promise<Health> {
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
  }
}
