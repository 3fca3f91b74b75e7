/** Builds @akashgen/emulator into dist/: the library entry with its declaration file, and the CLI program. */
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: 'index.ts', main: 'main.ts' },
  platform: 'node',
  target: 'node20.19',
  dts: true,
})
