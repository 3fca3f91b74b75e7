/** Builds the playground page (client/playground) into `<outdir>/{index.html,app.js,app.css}` with esbuild. */
import { copyFile, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCE = join(ROOT, 'client', 'playground')

/** Where `npm run build` puts the page, and where the gateway looks for it when run from source. */
export const PLAYGROUND_DIST = join(ROOT, 'dist', 'playground')

/**
 * Bundles the page's script (with the client package inside) and stylesheet, and copies its HTML. Each file is
 * written under a temporary name and renamed into place, index.html last: gateways starting at the same time
 * (parallel tests) may build together, and none of them ever serves a half-written file.
 */
export async function buildPlayground(outdir: string = PLAYGROUND_DIST): Promise<string[]> {
  const target = resolve(outdir)
  const result = await build({
    entryPoints: [join(SOURCE, 'app.ts'), join(SOURCE, 'app.css')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome111', 'firefox111', 'safari16.4'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    outdir: target,
    write: false,
    logLevel: 'warning',
  })
  await mkdir(target, { recursive: true })
  const written: string[] = []
  const place = async (name: string, write: (temporary: string) => Promise<void>) => {
    const temporary = join(target, `.${name}.${process.pid}.tmp`)
    await write(temporary)
    await rename(temporary, join(target, name))
    written.push(join(target, name))
  }
  for (const file of result.outputFiles) {
    const name = file.path.slice(target.length + 1)
    await place(name, (temporary) => writeFile(temporary, file.contents))
  }
  await place('index.html', (temporary) => copyFile(join(SOURCE, 'index.html'), temporary))
  return written
}

/** Builds the page unless `outdir` already holds a build newer than every source file it comes from. */
export async function ensurePlayground(outdir: string = PLAYGROUND_DIST): Promise<'built' | 'fresh'> {
  const builtAt = await stat(join(outdir, 'index.html')).then(
    (info) => info.mtimeMs,
    () => -1,
  )
  const sources = [
    fileURLToPath(import.meta.url),
    ...(await filesUnder(join(ROOT, 'client'))),
    ...(await filesUnder(join(ROOT, 'contract'))),
  ]
  const changedAt = Math.max(...(await Promise.all(sources.map(async (file) => (await stat(file)).mtimeMs))))
  if (builtAt >= changedAt) return 'fresh'
  await buildPlayground(outdir)
  return 'built'
}

/** Every file under `folder` that can end up in the page, node_modules aside. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|html|css|json)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${sep}node_modules${sep}`))
}
