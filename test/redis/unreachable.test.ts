/** A gateway whose Redis cannot be reached refuses to start, naming REDIS_URL without its password. */
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { createJobBackend } from '../../server/jobs/backend.ts'

describe('an unreachable Redis at start-up', () => {
  it('fails with REDIS_URL shown without its credentials', async () => {
    // Port 1 on loopback: nothing listens there, so start-up gives up after its 10 s wait.
    const config = loadConfig({ REDIS_URL: 'redis://admin:hun%2Fter%402@127.0.0.1:1/0' })
    const failure = await createJobBackend(config, pino({ level: 'silent' }), { onReplicas: () => {} }).then(
      () => new Error('started'),
      (error: unknown) => error as Error,
    )
    expect(failure.message).toContain('cannot reach Redis at REDIS_URL=redis://***@127.0.0.1:1/0')
    expect(failure.message).not.toMatch(/admin|hun|ter/)
  }, 20_000)
})
