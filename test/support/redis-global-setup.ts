/**
 * Vitest global setup: the Redis the Redis suites use. REDIS_URL when set (CI: the machine's Redis), else a
 * private redis-server started for the run when one is installed, so `npm test` runs every suite with no
 * service to set up. Without either, the Redis suites fail saying how to get one (they are never skipped).
 */
import { execFileSync } from 'node:child_process'
import type { TestProject } from 'vitest/node'
import { startOwnRedis } from './own-redis.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis URL for the Redis suites; empty when there is none. */
    redisUrl: string
  }
}

const installed = (): boolean => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL)
    return undefined
  }
  if (!installed()) {
    project.provide('redisUrl', '')
    return undefined
  }
  const redis = await startOwnRedis()
  project.provide('redisUrl', redis.url)
  return () => redis.stop()
}
