import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Our workspaces resolve to their sources through tsconfig.json's `paths` (their package exports point to dist/).
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Redis for the Redis suites (REDIS_URL, or a private redis-server for the run); fresh builds of the packages.
    globalSetup: ['test/support/redis-global-setup.ts', 'test/support/packages-global-setup.ts'],
    reporters: ['default'],
  },
})
