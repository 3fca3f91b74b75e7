/** The playground page at `/` and its assets under `/playground/`, served from the built page (dist/playground). */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyPluginAsync } from 'fastify'
import { lazyApp } from './lazy-app.ts'
import { ownCompilersOnly } from './schema-compilers.ts'

/** The built files served besides index.html. Only these: a wildcard route could shadow the API's own 404s. */
const ASSETS = ['app.js', 'app.css', 'app.js.map', 'app.css.map']

/** Run from source (tsx) the gateway can build the page itself; bundled, the page is `npm run build`'s output. */
const FROM_SOURCE = import.meta.url.endsWith('.ts')

/** Options of the playground plugin; the defaults suit both `npm start` and the bundle. */
export interface PlaygroundOptions {
  /** The built page's folder. Default: dist/playground (next to dist/server.mjs when bundled). */
  root?: string
  /**
   * Builds or refreshes the page in `root` before it is served; `null` never builds. Default: from source, the
   * esbuild build of scripts/build-playground.ts when esbuild can be imported; bundled, none.
   */
  build?: ((root: string) => Promise<unknown>) | null
}

/** Registers `GET /` (the page) and its assets; without a built page `/` answers 503 naming `npm run build`. */
export const playgroundPage: FastifyPluginAsync<PlaygroundOptions> = async (app, options) => {
  const root =
    options.root ??
    fileURLToPath(new URL(FROM_SOURCE ? '../../dist/playground/' : './playground/', import.meta.url))
  const build = options.build === undefined ? (FROM_SOURCE ? buildFromSource : null) : options.build
  if (build) {
    try {
      app.log.debug({ root, outcome: await build(root) }, 'playground page checked')
    } catch (error) {
      app.log.warn({ err: error }, 'could not build the playground page')
    }
  }
  if (!(await isFile(join(root, 'index.html')))) {
    app.log.warn({ root }, 'the playground page is not built; run `npm run build`')
    // The contract has no code for "not deployed"; INTERNAL says it is the operator's to fix, not the caller's.
    app.get('/', async (request, reply) =>
      reply.status(503).send({
        error: 'the playground page is not built: run `npm run build` (it writes dist/playground)',
        code: 'INTERNAL',
        retryable: false,
        requestId: String(request.id),
      }),
    )
    return
  }
  // @fastify/static (and the glob and send packages under it) loads on the page's first request.
  const page = lazyApp(async () => {
    const { default: fastifyStatic } = await import('@fastify/static')
    const files = Fastify({ logger: false, schemaController: ownCompilersOnly })
    // serve: false: only sendFile is wanted; the routes below list exactly what is served.
    await files.register(fastifyStatic, { root, serve: false })
    files.get('/', (_request, reply) => reply.sendFile('index.html'))
    for (const asset of ASSETS) files.get(`/playground/${asset}`, (_request, reply) => reply.sendFile(asset))
    return files
  })
  app.addHook('onClose', page.close)
  app.get('/', page.forward)
  for (const asset of ASSETS) app.get(`/playground/${asset}`, page.forward)
}

/** Builds the page when it is missing or older than its sources. The path is not a literal on purpose: the
 * bundler must not pull the build script (and esbuild) into dist/server.mjs. */
async function buildFromSource(root: string): Promise<'built' | 'fresh'> {
  const builder = new URL('../../scripts/build-playground.ts', import.meta.url).href
  // Typed here rather than with `typeof import(...)`: the build script is outside the server's project.
  const { ensurePlayground } = (await import(builder)) as {
    ensurePlayground: (outdir: string) => Promise<'built' | 'fresh'>
  }
  return ensurePlayground(root)
}

async function isFile(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}
