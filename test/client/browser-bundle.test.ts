// The client package bundles for a browser: no fastify, pino, Node built-ins or server code inside.
import { fileURLToPath } from 'node:url'
import { build, type Metafile } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'

const entry = fileURLToPath(new URL('../../client/index.ts', import.meta.url))
const serverFolder = fileURLToPath(new URL('../../server/', import.meta.url))

/** How both tests bundle: as a browser app's bundler would, in memory, with the list of inputs. */
const FOR_A_BROWSER = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  metafile: true,
  logLevel: 'silent',
} as const

let inputs: string[]
let code: string

beforeAll(async () => {
  const result = await build({ ...FOR_A_BROWSER, entryPoints: [entry] })
  expect(result.errors).toEqual([])
  const metafile = result.metafile as Metafile
  inputs = Object.keys(metafile.inputs)
  code = result.outputFiles[0]?.text ?? ''
  console.log(`client browser bundle: ${(code.length / 1024).toFixed(1)} KiB from ${inputs.length} inputs`)
})

describe('the client package in a browser bundle', () => {
  it('builds from client/index.ts and includes the client itself', () => {
    expect(inputs).toContain('client/index.ts')
    expect(inputs).toContain('client/generate-image.ts')
    expect(inputs.some((path) => path.includes('node_modules/@trpc/client'))).toBe(true)
    expect(code).toContain('AkashGenError')
  })

  it('pulls in no server runtime, no server code and no Node built-ins', () => {
    const forbidden = inputs.filter(
      (path) =>
        path.includes('node_modules/fastify') ||
        path.includes('node_modules/pino') ||
        path.includes('node_modules/@trpc/server/dist/adapters') ||
        path.startsWith('server/') ||
        path.startsWith('node:'),
    )
    expect(forbidden).toEqual([])
    // Paths are relative to the working directory; an absolute one into our server folder would count too.
    expect(inputs.some((path) => path.startsWith(serverFolder))).toBe(false)
  })

  it('leaves no require() or import of a server package or Node built-in in the output', () => {
    expect(code).not.toMatch(/require\(\s*["'`](fastify|pino|node:[\w/]+)["'`]\s*\)/)
    expect(code).not.toMatch(/\bfrom\s*["'`](fastify|pino|node:[\w/]+)["'`]/)
    expect(code).not.toMatch(/import\(\s*["'`](fastify|pino|node:[\w/]+)["'`]\s*\)/)
    expect(code).not.toContain('appRouter')
  })

  it('stays under 1 MB', () => {
    expect(new TextEncoder().encode(code).byteLength).toBeLessThan(1024 * 1024)
  })
})

describe("the client package's browser build", () => {
  it('is what a bundler picks for a browser, and carries no eventsource polyfill', async () => {
    // Resolved by package name as an app's bundler would (the `browser` export condition), from the built dist/.
    const result = await build({
      stdin: {
        contents: "export { createAkashGenClient } from '@akashgen/client'",
        resolveDir: process.cwd(),
      },
      ...FOR_A_BROWSER,
      tsconfigRaw: {},
    })
    const built = Object.keys((result.metafile as Metafile).inputs)
    expect(built).toContain('client/dist/browser.js')
    expect(built.filter((path) => path.includes('node_modules/eventsource'))).toEqual([])
  })
})
