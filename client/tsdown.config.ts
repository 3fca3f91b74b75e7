/**
 * Builds @akashgen/client into dist/: the Node entry with its bundled declaration file (AppRouter inlined, see
 * server/trpc/app-router.ts), the CLI, and a browser entry without the Node-only `eventsource` polyfill.
 */
import { defineConfig, type UserConfig } from 'tsdown'

/** Points the browser build's fallback-event-source.ts import at the module that has no polyfill. */
const withoutPolyfill = {
  name: 'akashgen:browser-event-source',
  resolveId(source: string, importer: string | undefined) {
    if (importer && source === './fallback-event-source.ts') {
      return new URL('./fallback-event-source.browser.ts', `file://${importer}`).pathname
    }
    return null
  },
}

const shared: UserConfig = { target: 'es2023', outDir: 'dist' }

export default defineConfig([
  {
    ...shared,
    entry: { index: 'index.ts', cli: 'cli/main.ts' },
    platform: 'node',
    // The AppRouter type comes from the (private) server's source and is inlined into dist/index.d.mts.
    deps: { alwaysBundle: ['@akashgen/server'] },
    // build: the server is a referenced project; tsc -b builds its declarations first (a fresh clone has none).
    dts: { eager: true, build: true },
  },
  {
    ...shared,
    entry: { browser: 'index.ts' },
    platform: 'browser',
    plugins: [withoutPolyfill],
    dts: false,
  },
])
