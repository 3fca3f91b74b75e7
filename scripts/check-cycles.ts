/**
 * `npm run lint`: no import cycle in any workspace of package.json, type-only imports included. A
 * type-only cycle costs nothing at run time, but it still ties two modules so neither can be read, moved or
 * tested alone; the shared types belong in a small file both import.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The root's workspaces, as package.json lists them. */
const WORKSPACES = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
  .workspaces
const SOURCE = /\.(tsx?|mts|mjs)$/

/** The workspaces' own source files, build output and dependencies aside. */
function sources(): string[] {
  return WORKSPACES.flatMap((workspace) =>
    readdirSync(join(ROOT, workspace), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && SOURCE.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => !/[/\\](dist|node_modules)[/\\]/.test(file)),
  )
}

/** The files `file` imports by relative path: static, type-only, re-exports and dynamic imports alike. */
function importsOf(file: string, known: Set<string>): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(dirname(file), specifier))
    .filter((target) => known.has(target))
}

/** Strongly connected components of more than one file (or a file importing itself): each holds a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const lowest = (node: string, value: number | undefined) =>
    low.set(node, Math.min(low.get(node) ?? Number.POSITIVE_INFINITY, value ?? Number.POSITIVE_INFINITY))
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (node: string) => {
    low.set(node, index.size)
    index.set(node, index.size)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        lowest(node, low.get(next))
      } else if (onStack.has(next)) lowest(node, index.get(next))
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member)
      component.push(member)
      if (member === node) break
    }
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.reverse())
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

/** One concrete loop through `component`, as a path that starts and ends at its first file. */
function loopIn(component: string[], graph: Map<string, string[]>): string[] {
  const members = new Set(component)
  const start = component[0] as string
  const previous = new Map<string, string>()
  const queue = [start]
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue
      if (next === start) {
        const path = [node]
        for (let step = previous.get(node); step !== undefined; step = previous.get(step)) path.unshift(step)
        return [...path, start]
      }
      if (!previous.has(next)) {
        previous.set(next, node)
        queue.push(next)
      }
    }
  }
  return component
}

const files = sources()
const known = new Set(files)
const graph = new Map(files.map((file) => [file, importsOf(file, known)]))
const found = cycles(graph)
if (found.length > 0) {
  for (const component of found) {
    const loop = loopIn(component, graph).map((file) => relative(ROOT, file))
    process.stderr.write(`${loop.join(' -> ')}\n`)
  }
  process.stderr.write(`${found.length} import cycle(s): move what the files share into a file both import\n`)
  process.exit(1)
}
process.stdout.write(`import cycles: none in ${files.length} files of ${WORKSPACES.join(', ')}\n`)
