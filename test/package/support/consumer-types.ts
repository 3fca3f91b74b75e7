/** The type side of the package check: the repo's tsc, strict, on a consumer file in the scratch project. */
import { copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type RunResult, run } from './run.ts'
import { ROOT } from './scratch.ts'

/** The repo's pinned compiler (typescript 6.0.3), run against the scratch project. */
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

/** The two module settings a consumer is likely to have. */
export const MODULE_SETTINGS = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
} as const

/** Options a careful consumer turns on; skipLibCheck off so a broken published .d.ts is an error too. */
const STRICT_OPTIONS = {
  target: 'es2023',
  // esnext.disposable: @trpc/server's published types (the client's peer) name Disposable and AsyncDisposable.
  lib: ['es2023', 'esnext.disposable', 'dom', 'dom.iterable'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  jsx: 'react-jsx',
  noEmit: true,
  // Only what the consumer installed: no @types from anywhere else.
  types: [],
}

/** The consumers, stored as .txt so the repo's own tsc and biome leave them alone, and their names in scratch. */
const CONSUMERS = [
  { fixture: new URL('../fixtures/consumer.ts.txt', import.meta.url), file: 'consumer.ts' },
  { fixture: new URL('../fixtures/consumer-react.tsx.txt', import.meta.url), file: 'consumer-react.tsx' },
]

/** Copies the consumers into the scratch project and type-checks them under `setting`; tsc's output and code. */
export async function typecheckConsumer(
  scratchDir: string,
  setting: keyof typeof MODULE_SETTINGS,
): Promise<RunResult> {
  for (const { fixture, file } of CONSUMERS) await copyFile(fixture, join(scratchDir, file))
  const project = join(scratchDir, `tsconfig.${setting}.json`)
  const config = {
    compilerOptions: { ...STRICT_OPTIONS, ...MODULE_SETTINGS[setting] },
    files: CONSUMERS.map((consumer) => consumer.file),
  }
  await writeFile(project, `${JSON.stringify(config, null, 2)}\n`)
  return run(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { cwd: scratchDir })
}
