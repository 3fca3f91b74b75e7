// Reads `perf script -F tid,ip,sym,dso` output of a Node server run with --perf-basic-prof: what kind of work each
// sample was (V8 builtins, inline-cache misses, optimised code, compiler, GC, kernel) and which part of the
// gateway it was for (incoming requests, upstream calls, the poller, the job engine).
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

/** One stack frame: the symbol and the object it came from (`/usr/bin/node`, `[kernel.kallsyms]`, a perf map). */
export interface Frame {
  sym: string
  dso: string
}

/** One sample: the thread and its stack, leaf first. */
export interface Sample {
  tid: string
  frames: Frame[]
}

/** Parses `perf script -F tid,ip,sym,dso` (call graphs recorded with -g): blocks separated by blank lines. */
export function parsePerfScript(text: string): Sample[] {
  const samples: Sample[] = []
  for (const block of text.split(/\n\s*\n/)) {
    const [head, ...lines] = block.split('\n').filter((line) => line.trim() !== '')
    if (head === undefined) continue
    const frames: Frame[] = []
    for (const line of lines) {
      const match = line.match(/^\s*[0-9a-f]+\s+(.*)\s+\(([^)]*)\)\s*$/)
      if (match) frames.push({ sym: match[1] as string, dso: match[2] as string })
    }
    if (frames.length > 0) samples.push({ tid: head.trim().split(/\s+/)[0] as string, frames })
  }
  return samples
}

/** What kind of work a sample's leaf frame was. */
export function kindOf({ sym, dso }: Frame): string {
  if (dso.includes('kernel')) return 'kernel (syscalls, task switches)'
  if (sym.startsWith('JS:*')) return 'optimised JS'
  if (sym.startsWith('JS:^')) return 'baseline JS (Sparkplug)'
  if (sym.startsWith('JS:') || /^Builtins_.*Handler$/.test(sym)) return 'interpreted JS'
  if (sym.startsWith('RegExp:')) return 'regular expressions'
  if (/compiler::|maglev::|Pipeline|OptimizedCompilationJob|Turbofan/.test(sym)) return 'compiler (TurboFan)'
  if (/Scavenge|MarkCompact|Sweeper|Marking|Evacuat|Heap::|GCTracer|MinorMC|PagedSpace|NewSpace/.test(sym))
    return 'garbage collection'
  if (/^Builtins_.*IC(_|$)|IC::|Runtime_.*IC|LookupIterator|FeedbackNexus|MigrateToMap/.test(sym))
    return 'property lookups (inline-cache misses)'
  if (sym.startsWith('Builtins_')) return 'V8 builtins (calls, promises, strings)'
  if (/^(node::|uv_|uv__|llhttp)/.test(sym)) return 'Node C++, libuv, llhttp'
  if (sym.includes('v8::')) return 'V8 runtime'
  if (/libc|libstdc\+\+|libgcc/.test(dso)) return 'libc, allocator'
  return 'other'
}

const NODE_PARTS: [RegExp, string][] = [
  [/^node:(_http_client|_http_agent|http)$/, 'upstream calls (status included)'],
  [/^node:_http_server$/, 'incoming requests'],
]
const SOURCE_PARTS: [RegExp, string][] = [
  [
    /\/node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|secure-json-parse)/,
    'incoming requests',
  ],
  [/\/server\/upstream\//, 'upstream calls (status included)'],
  [/\/server\/polling\//, 'the poller (choosing what to ask)'],
  [/\/server\/(http|trpc|openai)\//, 'incoming requests'],
  [/\/server\/jobs\//, 'job engine (queue, runner, images)'],
  [/\/server\/metrics\//, 'metrics'],
]

/**
 * Which part of the gateway a main-thread sample worked for: the innermost frame that says so (an upstream call
 * made by the poller counts as an upstream call). Streams, events and timers say nothing by themselves.
 */
export function partOf(sample: Sample, sourceOf: (sym: string) => string | undefined): string {
  let sawJs = false
  for (const { sym } of sample.frames) {
    if (!sym.startsWith('JS:')) continue
    sawJs = true
    const source = sourceOf(sym)
    if (source === undefined) continue
    const parts = source.startsWith('node:') ? NODE_PARTS : SOURCE_PARTS
    const part = parts.find(([pattern]) => pattern.test(source))
    if (part) return part[1]
  }
  return sawJs ? 'Node streams, events, timers' : 'outside JS (GC, libuv, kernel)'
}

/**
 * The original source of a perf-map JS symbol (`JS:*name file:///.../dist/x.mjs:68:58483` or `node:internal/...`),
 * through the bundle's source maps; undefined when it has none.
 */
export function sourceMapper(): (sym: string) => string | undefined {
  const maps = new Map<string, SourceMap | undefined>()
  const mapOf = (file: string) => {
    if (!maps.has(file)) {
      const mapFile = `${file}.map`
      maps.set(
        file,
        existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined,
      )
    }
    return maps.get(file)
  }
  return (sym) => {
    const node = sym.match(/ (node:[\w/]+):\d+:\d+$/)
    if (node) return node[1]
    const bundled = sym.match(/ (file:\/\/\S+):(\d+):(\d+)$/)
    if (!bundled) return undefined
    const file = fileURLToPath(bundled[1] as string)
    const entry = mapOf(file)?.findEntry(Number(bundled[2]) - 1, Number(bundled[3]) - 1)
    return entry && 'originalSource' in entry ? entry.originalSource : file
  }
}
