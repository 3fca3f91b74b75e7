/** The browser side of the package check: a Vite build of a small page that imports the installed client. */
import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build, type Rolldown } from 'vite'

/** What the page's production build holds. */
export interface WebBundle {
  /** Every module that went into a JavaScript chunk (absolute paths, node_modules included). */
  moduleIds: string[]
  /** The JavaScript chunks' minified code, joined. */
  code: string
  rawBytes: number
  gzipBytes: number
}

const FIXTURE = new URL('../fixtures/web/', import.meta.url)

/** Copies the page into the scratch project and builds it there with the repo's Vite (no config file). */
export async function buildWebPage(scratchDir: string): Promise<WebBundle> {
  const root = join(scratchDir, 'web')
  await cp(FIXTURE, root, { recursive: true })
  const result = await build({
    root,
    configFile: false,
    logLevel: 'warn',
    build: { outDir: join(scratchDir, 'web-dist'), emptyOutDir: true },
  })
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[]
  const chunks = outputs.flatMap((o) => o.output).filter((item) => item.type === 'chunk')
  if (chunks.length === 0) throw new Error('the Vite build produced no JavaScript chunk')
  const code = chunks.map((chunk) => chunk.code).join('\n')
  return {
    moduleIds: chunks.flatMap((chunk) => chunk.moduleIds),
    code,
    rawBytes: chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk.code), 0),
    gzipBytes: chunks.reduce((sum, chunk) => sum + gzipSync(chunk.code, { level: 9 }).byteLength, 0),
  }
}
