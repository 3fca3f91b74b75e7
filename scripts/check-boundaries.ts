/**
 * `npm run lint` (after biome): a workspace imports another only by its package name, never by a relative path
 * into it, and the contract imports nothing but zod. Tests, scripts and benchmarks are not packages: they import
 * a package's public entry by name too, and may reach internals by relative path to test or drive them.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The root's workspaces, as package.json lists them. */
const WORKSPACES = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
  .workspaces
/** What the contract may import besides its own files: it must load in any runtime and depend on zod only. */
const CONTRACT_ALLOWED = new Set(['zod'])

/** Every module specifier in `source`: static imports and re-exports, side-effect and dynamic imports. */
function specifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm
  return [...source.matchAll(pattern)].map((match) => match[1] ?? '')
}

/** The workspace's own source files (.ts, .tsx, .mjs), its build config, build output and dependencies aside. */
function sourcesOf(workspace: string): string[] {
  return readdirSync(join(ROOT, workspace), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(tsx?|mts|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !/[/\\](dist|node_modules)[/\\]/.test(file) && !file.endsWith('tsdown.config.ts'))
}

const problems: string[] = []
for (const workspace of WORKSPACES) {
  for (const file of sourcesOf(workspace)) {
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
      const where = relative(ROOT, file)
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier)
        const other = WORKSPACES.find(
          (name) => name !== workspace && target.startsWith(join(ROOT, name) + sep),
        )
        if (other)
          problems.push(`${where}: '${specifier}' reaches into ${other}/: import the package by name`)
      } else if (workspace === 'contract' && !CONTRACT_ALLOWED.has(specifier)) {
        problems.push(`${where}: '${specifier}': the contract depends on zod only`)
      }
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n${problems.length} import(s) cross a package boundary\n`)
  process.exit(1)
}
process.stdout.write(`package boundaries: ${WORKSPACES.join(', ')} import each other by name only\n`)
