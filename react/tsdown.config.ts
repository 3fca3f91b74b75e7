/**
 * Builds @akashgen/react into dist/: one ESM entry and its declaration file. tRPC's TanStack Query integration is
 * bundled in (code and types): its newest release pins @trpc/client and @trpc/server to 11.22.1 as exact peers,
 * while this package runs on the 11.25.2 the client ships; bundled, it uses those and no peer conflict reaches
 * an app's install.
 */
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: 'index.ts' },
  target: 'es2023',
  outDir: 'dist',
  platform: 'neutral',
  deps: { alwaysBundle: ['@trpc/tanstack-react-query'], onlyBundle: ['@trpc/tanstack-react-query'] },
  dts: { eager: true, build: true },
  // The hooks run in the browser: React Server Components frameworks (Next.js) must load this module as client code.
  banner: { js: "'use client';" },
})
