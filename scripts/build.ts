/** The server's half of `npm run build`: bundles the gateway into dist/server.mjs and builds the playground page. */
import { relative } from 'node:path'
import { build } from 'esbuild'
import { buildPlayground } from './build-playground.ts'

/**
 * The contract is bundled from source (the server's production install then needs no workspace links); every npm
 * dependency stays an import from node_modules. The emulator is its own package, built by its own tsdown config.
 */
const ownWorkspaces = { '@akashgen/contract': './contract' }

const entries = { server: 'server/server.ts' }

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
