/**
 * The package check: every publishable workspace is built, packed and installed into a project outside the
 * repository, and used there the way a user would, on Node 20 (the machine's), 24 and 26.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { copyFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODULE_SETTINGS, typecheckConsumer } from './support/consumer-types.ts'
import { run, runOk } from './support/run.ts'
import {
  EXPECTED_PACKAGES,
  installedPackages,
  prepareScratch,
  publishableWorkspaces,
  ROOT,
  type Scratch,
} from './support/scratch.ts'
import { type Stack, startStack } from './support/stack.ts'
import { buildWebPage } from './support/web-bundle.ts'

const NODE_MAJORS = ['20', '24', '26'] as const

/**
 * Gzipped (level 9) JavaScript of the browser page: measured 39.2 KiB (131 KiB minified; zod is over half of
 * it, then @trpc/client and @trpc/server's shared core, superjson, the contract, the client). ~10% headroom.
 */
const BROWSER_GZIP_BUDGET = 44 * 1024

const started = Date.now()
let scratch: Scratch
let stack: Stack

beforeAll(async () => {
  scratch = await prepareScratch()
  stack = await startStack(scratch.dir)
  for (const p of scratch.packed) {
    console.info(`${p.name}: tarball ${kib(p.bytes)}, unpacked ${kib(p.unpackedBytes)}, ${p.files} files`)
  }
}, 420_000)

afterAll(async () => {
  await stack?.close()
  await scratch?.remove()
  console.info(`package check: ${((Date.now() - started) / 1000).toFixed(1)} s`)
}, 60_000)

describe('the packed packages, installed outside the repository', () => {
  it('are exactly the publishable packages a user installs', () => {
    expect(
      publishableWorkspaces()
        .map((m) => m.name)
        .sort(),
    ).toEqual(EXPECTED_PACKAGES)
    expect(scratch.packed.map((p) => p.name).sort()).toEqual(EXPECTED_PACKAGES)
  })

  describe('(a) a plain Node ESM script (no loader)', () => {
    it.each(NODE_MAJORS)(
      'generates an image with generateImage on Node %s: the emulator’s bytes',
      async (major) => {
        await copyFile(new URL('./fixtures/app.mjs', import.meta.url), join(scratch.dir, 'app.mjs'))
        const prompt = `package check app.mjs on node ${major} ${randomUUID()}`
        const node = scratch.nodes[major]
        const { stdout } = await runOk(node, ['app.mjs', stack.gateway.url, prompt], {
          cwd: scratch.dir,
          node,
        })
        const report = JSON.parse(stdout) as {
          node: string
          status: string
          contentType: string
          base64: string
        }
        expect(report.node).toMatch(new RegExp(`^v${major}\\.`))
        expect(report.status).toBe('succeeded')
        expect(report.contentType).toMatch(/^image\//)
        const bytes = Buffer.from(report.base64, 'base64')
        expect(bytes.length).toBeGreaterThan(0)
        expect(bytes.equals(await stack.servedFor(prompt))).toBe(true)
      },
      60_000,
    )
  })

  describe('(b) types, with the repo’s tsc 6.0.3, strict, skipLibCheck off', () => {
    it.each(Object.keys(MODULE_SETTINGS) as (keyof typeof MODULE_SETTINGS)[])(
      'a consumer compiles under %s with exact result types, and each @ts-expect-error is needed',
      async (setting) => {
        const result = await typecheckConsumer(scratch.dir, setting)
        expect(result.stdout + result.stderr).toBe('')
        expect(result.code).toBe(0)
      },
      60_000,
    )

    it('the client installs without server packages (no fastify, pino, bullmq, ioredis at any depth)', () => {
      const installed = installedPackages(scratch.dir)
      expect(installed).toContain('@akashgen/client')
      expect(installed).toContain('@trpc/client')
      const server = [...installed].filter((name) =>
        /^(fastify|@fastify\/.*|pino|bullmq|ioredis)$/.test(name),
      )
      expect(server).toEqual([])
    })
  })

  describe('(c) a Vite build of a browser page that uses the client', () => {
    it('holds the client but no server code and no eventsource, within the gzip budget', async () => {
      const bundle = await buildWebPage(scratch.dir)
      console.info(`browser page: ${kib(bundle.rawBytes)} minified, ${kib(bundle.gzipBytes)} gzipped`)
      expect(bundle.moduleIds.some((id) => id.includes('/node_modules/@akashgen/client/'))).toBe(true)
      expect(bundle.code).toContain('/trpc')
      const forbidden = /\/node_modules\/(eventsource|fastify|@fastify|pino|bullmq|ioredis|sharp)\//
      expect(bundle.moduleIds.filter((id) => forbidden.test(id))).toEqual([])
      expect(bundle.code).not.toMatch(/\bfastify\b|\bpino\b/i)
      expect(bundle.gzipBytes).toBeLessThan(BROWSER_GZIP_BUDGET)
    }, 120_000)
  })

  describe('(d) the akashgen CLI from the tarball, without tsx', () => {
    it('tsx is not installed nor resolvable in the scratch project', async () => {
      const resolves = `try { import.meta.resolve('tsx'); process.exit(1) } catch { process.exit(0) }`
      const probe = await run(process.execPath, ['--input-type=module', '-e', resolves], { cwd: scratch.dir })
      expect(probe.code).toBe(0)
      expect(installedPackages(scratch.dir)).not.toContain('tsx')
    })

    it.each(NODE_MAJORS)(
      'npx akashgen --help prints the usage on Node %s',
      async (major) => {
        const options = { cwd: scratch.dir, node: scratch.nodes[major] }
        expect((await runOk('node', ['--version'], options)).stdout).toMatch(new RegExp(`^v${major}\\.`))
        // --no: never fetch `akashgen` from the registry when the installed bin is missing; `--`: the rest is its.
        const { stdout } = await runOk('npx', ['--no', '--', 'akashgen', '--help'], options)
        expect(stdout).toContain('Usage: akashgen "<prompt>"')
        expect(stdout).toContain('--url <url>')
      },
      60_000,
    )

    it('npx akashgen "<prompt>" -o out.webp writes the emulator’s bytes', async () => {
      const prompt = `package check cli ${randomUUID()}`
      const args = ['--no', '--', 'akashgen', prompt, '-o', 'out.webp', '--url', stack.gateway.url]
      await runOk('npx', args, { cwd: scratch.dir })
      const written = await readFile(join(scratch.dir, 'out.webp'))
      expect(written.length).toBeGreaterThan(0)
      expect(written.equals(await stack.servedFor(prompt))).toBe(true)
    }, 60_000)
  })

  describe('(f) @akashgen/react with React 19 and TanStack Query 5', () => {
    it.each(NODE_MAJORS)(
      'renders the provider and both hooks with react-dom/server on Node %s',
      async (major) => {
        await copyFile(
          new URL('./fixtures/react-ssr.mjs', import.meta.url),
          join(scratch.dir, 'react-ssr.mjs'),
        )
        const node = scratch.nodes[major]
        const { stdout } = await runOk(node, ['react-ssr.mjs', stack.gateway.url], { cwd: scratch.dir, node })
        expect(stdout.trim()).toBe('<p id="status">idle none</p>')
      },
      60_000,
    )

    it("installs beside its peers without tRPC's TanStack package (bundled) or a second tRPC client", () => {
      const installed = installedPackages(scratch.dir)
      expect(installed).toContain('@akashgen/react')
      expect(installed).toContain('@tanstack/react-query')
      expect(installed).not.toContain('@trpc/tanstack-react-query')
      const trpcClient = JSON.parse(
        readFileSync(join(scratch.dir, 'node_modules', '@trpc', 'client', 'package.json'), 'utf8'),
      ) as { version: string }
      const clientDeps = JSON.parse(readFileSync(join(ROOT, 'client', 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>
      }
      expect(trpcClient.version).toBe(clientDeps.dependencies['@trpc/client'])
    })
  })

  describe('(e) publint and Are The Types Wrong on each tarball', () => {
    it.each(EXPECTED_PACKAGES)(
      '%s passes publint (strict: warnings fail too)',
      async (name) => {
        const { tarball } = packedOf(name)
        const bytes = await readFile(tarball)
        const lint = await publint({ pack: { tarball: new Uint8Array(bytes).buffer }, strict: true })
        const problems = lint.messages
          .filter((m) => m.type !== 'suggestion')
          .map((m) => formatMessage(m, lint.pkg) ?? m.code)
        expect(problems).toEqual([])
      },
      60_000,
    )

    // esm-only: the packages ship ESM alone (Node 20.19+ can require() it), so the node10 and node16-CJS
    // resolution modes, which would only report that, are left out; node16-ESM and bundler are checked.
    it.each(EXPECTED_PACKAGES)(
      '%s passes attw --profile esm-only',
      async (name) => {
        const attw = join(ROOT, 'node_modules', '.bin', 'attw')
        const result = await run(
          attw,
          [packedOf(name).tarball, '--profile', 'esm-only', '--no-color', '--no-emoji'],
          {
            cwd: ROOT,
          },
        )
        expect(result.code, result.stdout + result.stderr).toBe(0)
      },
      60_000,
    )
  })
})

function packedOf(name: string) {
  const packed = scratch.packed.find((p) => p.name === name)
  if (!packed) throw new Error(`${name} was not packed`)
  return packed
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`
}
