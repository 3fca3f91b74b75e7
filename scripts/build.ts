/** The server's half of `npm run build`: bundles the gateway into dist/server.mjs and builds the playground page. */
import { readdir, rm } from 'node:fs/promises'
import { join, relative } from 'node:path'
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
  // Code behind a dynamic import() (the Redis backend) goes into its own chunk, so its npm imports (bullmq,
  // ioredis) load only when that import runs; without splitting esbuild hoists them to the top of server.mjs.
  splitting: true,
  // In dist/ itself, next to server.mjs: code moved into a chunk keeps the same import.meta.url directory.
  chunkNames: '[name]-[hash]',
  alias: ownWorkspaces,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
})

// Chunks of earlier builds (their names carry a content hash) go once the new ones are written.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => relative('dist', file)))
for (const file of await readdir('dist')) {
  if (/\.mjs(\.map)?$/.test(file) && !written.has(file)) await rm(join('dist', file))
}

for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.map')) process.stdout.write(`${file}  ${(output.bytes / 1024).toFixed(0)} KiB\n`)
}

// The playground page the gateway serves at `/` (dist/playground, next to dist/server.mjs).
for (const file of await buildPlayground()) {
  if (!file.endsWith('.map')) process.stdout.write(`${relative(process.cwd(), file)}\n`)
}
