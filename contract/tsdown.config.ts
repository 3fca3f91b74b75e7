/** Builds @akashgen/contract: ESM + one bundled declaration file, for Node and browsers alike. */
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: 'index.ts' },
  platform: 'neutral',
  target: 'es2023',
  dts: true,
})
