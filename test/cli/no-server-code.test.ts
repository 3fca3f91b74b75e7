/** The CLI is a client: bundling it pulls in no gateway code and no server package (type imports vanish). */
import { fileURLToPath } from 'node:url'
import { build, type Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'

const entry = fileURLToPath(new URL('../../client/cli/main.ts', import.meta.url))
const serverFolder = fileURLToPath(new URL('../../server/', import.meta.url))

describe('the akashgen program', () => {
  it('imports nothing from server/, fastify or pino at run time', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    const inputs = Object.keys((result.metafile as Metafile).inputs)
    expect(inputs).toContain('client/cli/run-generate.ts')
    expect(inputs).toContain('client/generate-image.ts')
    const forbidden = inputs.filter(
      (path) =>
        path.startsWith('server/') ||
        path.startsWith(serverFolder) ||
        path.includes('node_modules/fastify') ||
        path.includes('node_modules/pino') ||
        path.includes('node_modules/@trpc/server/dist/adapters'),
    )
    expect(forbidden).toEqual([])
  })
})
