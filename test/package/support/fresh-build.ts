/**
 * Whether a workspace's dist/ is the build of its sources as they are now. The package check packs that build
 * instead of rebuilding: a rebuild empties dist/ for seconds while the other test files import it.
 */
import { type Dirent, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** A repo workspace: its folder and the names of the workspaces it builds from. */
export interface WorkspaceSources {
  dir: string
  dependsOn: string[]
}

/** Undefined when `dir`/dist is newer than every .ts/.tsx source of the workspace and of those it depends on. */
export function staleBuild(
  root: string,
  workspace: WorkspaceSources,
  dirOf: (name: string) => string | undefined,
) {
  const dist = join(root, workspace.dir, 'dist')
  const built = files(dist, ['node_modules'])
  if (built.length === 0) return `${workspace.dir}/dist is missing: run \`npm run build\``
  const builtAt = Math.min(...built.map((file) => statSync(file).mtimeMs))
  const sourceDirs = [workspace.dir, ...workspace.dependsOn.flatMap((name) => dirOf(name) ?? [])]
  for (const source of sourceDirs.flatMap((dir) =>
    files(join(root, dir), ['node_modules', 'dist']).filter((f) => /\.tsx?$/.test(f)),
  )) {
    if (statSync(source).mtimeMs > builtAt) {
      return `${workspace.dir}/dist is older than ${relative(root, source)}: run \`npm run build\``
    }
  }
  return undefined
}

/** Every file under `dir`, not looking into folders named in `skipped`. */
function files(dir: string, skipped: string[]): string[] {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name)
    if (!entry.isDirectory()) return [path]
    return skipped.includes(entry.name) ? [] : files(path, skipped)
  })
}
