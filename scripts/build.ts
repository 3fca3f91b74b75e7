/** The server's half of `npm run build`: bundles the gateway into dist/server.mjs and builds the playground page. */
import { readdir, rm } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { build, type Plugin } from 'esbuild'
import { buildPlayground } from './build-playground.ts'

/**
 * The contract is bundled from source (the server's production install then needs no workspace links), and so
 * are most npm dependencies (below). The emulator is built by its own tsdown config.
 */
const ownWorkspaces = { '@akashgen/contract': './contract' }

const entries = { server: 'server/server.ts' }

/**
 * npm packages left as imports from node_modules: the Redis backend's (loaded only with REDIS_URL; bullmq reads
 * its Lua scripts from its own folder) and the surfaces loaded on first request (Swagger UI serves files from
 * its own folder). Everything else is bundled: a few files to read and compile instead of about 300 resolved
 * and read one by one, and no CommonJS package imported from ESM at start-up (Node parses each such package
 * with its WebAssembly cjs-module-lexer, about 1 MiB). pino is bundled too: the gateway uses no transport
 * (pino's transports run files of their own in worker threads, which a bundle would not have).
 */
const external = ['bullmq', 'ioredis', '@fastify/swagger', '@fastify/swagger-ui', '@fastify/static'].flatMap(
  (name) => [name, `${name}/*`],
)

/**
 * zod re-exports its 40 locales as `z.locales` (`config(z.locales.de())`); the gateway uses none (zod's English
 * messages are built in separately), so the namespace is bundled empty: 500 KiB less code to hold in memory.
 */
const withoutZodLocales: Plugin = {
  name: 'without-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /node_modules\/zod\/v4\/(classic|core)\//.test(args.importer)
        ? { path: 'zod-locales', namespace: 'empty' }
        : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {}', loader: 'js' }))
  },
}

/**
 * prom-client loads @opentelemetry/api (its global registries included) only to label process CPU samples with
 * the active trace when exemplars are enabled, which the gateway never does: the module is bundled as a stub.
 */
const withoutOpenTelemetry: Plugin = {
  name: 'without-opentelemetry',
  setup(build) {
    build.onResolve({ filter: /^@opentelemetry\/api$/ }, (args) =>
      /node_modules\/prom-client\//.test(args.importer)
        ? { path: 'opentelemetry-api', namespace: 'otel-stub' }
        : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'otel-stub' }, () => ({
      contents: 'module.exports = {}',
      loader: 'js',
    }))
  },
}

/**
 * Fastify requires its default schema compilers (ajv, fast-json-stringify: about 100 files) only when a route has
 * a schema and no compiler of its own; every gateway route brings its own (server/http/schema-compilers.ts), so
 * their code is left out of the bundle and a stub says so if it were ever asked for.
 */
const withoutDefaultCompilers: Plugin = {
  name: 'without-default-compilers',
  setup(build) {
    build.onResolve({ filter: /^@fastify\/(ajv-compiler|fast-json-stringify-compiler)$/ }, (args) =>
      /node_modules\/fastify\/lib\//.test(args.importer)
        ? { path: args.path, namespace: 'no-default-compiler' }
        : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'no-default-compiler' }, (args) => ({
      contents: `module.exports = function () { throw new Error(${JSON.stringify(`${args.path} is not bundled: give the route documented(...) options`)}) }`,
      loader: 'js',
    }))
  },
}

const result = await build({
  entryPoints: entries,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  external,
  // Code behind a dynamic import() (the Redis backend) goes into its own chunk, so its npm imports (bullmq,
  // ioredis) load only when that import runs; without splitting esbuild hoists them to the top of server.mjs.
  splitting: true,
  // In dist/ itself, next to server.mjs: code moved into a chunk keeps the same import.meta.url directory.
  chunkNames: '[name]-[hash]',
  alias: ownWorkspaces,
  plugins: [withoutZodLocales, withoutOpenTelemetry, withoutDefaultCompilers],
  // prom-client is CommonJS: its require() calls of Node's own modules need a real require in each ESM chunk.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  // Without comments and indentation the code V8 keeps as source strings is a third smaller, and pure ASCII
  // (one byte a character, where one non-ASCII character in a comment made a whole chunk two bytes a character):
  // about 3 MiB less at rest. Names are kept; dist/*.map maps positions (`node --enable-source-maps`).
  minifyWhitespace: true,
  // The dependencies' license notices go to dist/*.LEGAL.txt, next to the chunk that holds their code.
  legalComments: 'external',
  metafile: true,
  logLevel: 'warning',
})

// Chunks of earlier builds (their names carry a content hash) go once the new ones are written.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => relative('dist', file)))
for (const file of await readdir('dist')) {
  if (/\.mjs(\.map|\.LEGAL\.txt)?$/.test(file) && !written.has(file)) await rm(join('dist', file))
}

for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.mjs')) process.stdout.write(`${file}  ${(output.bytes / 1024).toFixed(0)} KiB\n`)
}

// The playground page the gateway serves at `/` (dist/playground, next to dist/server.mjs).
for (const file of await buildPlayground()) {
  if (file.endsWith('.mjs')) process.stdout.write(`${relative(process.cwd(), file)}\n`)
}
