import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Redis for the Redis suites: REDIS_URL, or a private redis-server for the run.
    globalSetup: ['test/support/redis-global-setup.ts'],
    reporters: ['default'],
  },
})
