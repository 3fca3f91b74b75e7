import { defineConfig } from 'vitest/config'

// Redis for the Redis suites (REDIS_URL, or a private redis-server for the run); fresh builds of the packages.
const GLOBAL_SETUP = ['test/support/redis-global-setup.ts', 'test/support/packages-global-setup.ts']

/** Folders whose tests start real servers on loopback sockets (emulator, gateways, Redis) in this process. */
const INTEGRATION = [
  'cli',
  'client',
  'emulator',
  'faults',
  'fuzz',
  'idempotency',
  'jobs',
  'metrics',
  'openai',
  'openapi',
  'polling',
  'redis',
  'rest',
  'security',
  'sse',
  'react',
  'trpc',
  'webhooks',
]

/** Folders whose tests spawn processes, drive a browser, build packages or run for long: minutes, not seconds. */
const SLOW = ['bench', 'browser', 'package', 'process', 'soak']

const under = (folders: string[]) => folders.map((folder) => `test/${folder}/**/*.test.{ts,tsx}`)

export default defineConfig({
  // Our workspaces resolve to their sources through tsconfig.json's `paths` (their package exports point to dist/).
  resolve: { tsconfigPaths: true },
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    reporters: ['default'],
    // Three lanes: `npm test` runs them all; `npm run test:unit` (pure modules, no setup) answers in seconds.
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: under(INTEGRATION), globalSetup: GLOBAL_SETUP },
      },
      { extends: true, test: { name: 'slow', include: under(SLOW), globalSetup: GLOBAL_SETUP } },
    ],
  },
})
