/**
 * Vitest global setup: rebuilds a publishable package (contract, client, emulator, react) whose dist/ is missing
 * or older than its sources, so the tests that run built code (the `akashgen` and `akashgen-emulator` bins, the
 * React example's build) never run a stale build. `npm ci` builds them once (the root `prepare` script); this
 * only catches later edits.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const PACKAGES = ['contract', 'client', 'emulator', 'react']

/** The newest modification time among `folder`'s files that match `keep`, or -1 when there are none. */
function newestUnder(folder: string, keep: (path: string) => boolean): number {
  let newest = -1
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name)
    if (entry.isFile() && keep(path)) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/** Whether `dir`'s build is older than a source file (or its package.json / tsdown config) or absent. */
function stale(dir: string): boolean {
  const built = (() => {
    try {
      return newestUnder(join(dir, 'dist'), () => true)
    } catch {
      return -1
    }
  })()
  const skipped = [`${sep}dist${sep}`, `${sep}node_modules${sep}`, `${sep}playground${sep}`]
  const source = newestUnder(
    dir,
    (path) => /\.(tsx?|json)$/.test(path) && !skipped.some((part) => path.includes(part)),
  )
  return built < source
}

export default function setup(): void {
  for (const name of PACKAGES) {
    const dir = join(ROOT, name)
    if (stale(dir)) execFileSync('npx', ['tsdown', '--logLevel', 'warn'], { cwd: dir, stdio: 'inherit' })
  }
}
