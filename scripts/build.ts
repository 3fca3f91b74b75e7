/** `npm run build`: bundles the gateway and the emulator into dist/ for production (the Dockerfile runs these). */
import { relative } from 'node:path'
import { build } from 'esbuild'
import { buildPlayground } from './build-playground.ts'

/** Our own workspaces are bundled from source; every npm dependency stays an import from node_modules. */
const ownWorkspaces = { '@akashgen/contract': './contract', '@akashgen/emulator': './emulator' }

const entries = { server: 'server/main.ts', emulator: 'emulator/main.ts' }

const result = await build({
  entryPoints: entries,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  packages: 'external',
  alias: ownWorkspaces,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
})

for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.map')) process.stdout.write(`${file}  ${(output.bytes / 1024).toFixed(0)} KiB\n`)
}

// The playground page the gateway serves at `/` (dist/playground, next to dist/server.mjs).
for (const file of await buildPlayground()) {
  if (!file.endsWith('.map')) process.stdout.write(`${relative(process.cwd(), file)}\n`)
}
