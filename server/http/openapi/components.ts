/** The contract's schemas the document names as components, and the pruning of the ones no route uses. */
import { ErrorBody, GenerateInput, Health, Job, JobEvent, Readiness } from '@akashgen/contract'
import { z } from 'zod'

/** A component: the contract's schema, its id in zod's registry, and whether routes use it as input or output. */
interface Component {
  schema: z.ZodType
  id: string
  io: 'input' | 'output'
  description: string
}

/**
 * The zod type provider names a component after the schema's `id` in the registry it reads metadata from, the
 * global one (where the contract's `.meta()` descriptions live too), and appends `Input` for input schemas: the
 * request body registered as `Generate` is `GenerateInput` in the document, like the contract's export.
 */
const COMPONENTS: Component[] = [
  {
    schema: GenerateInput,
    id: 'Generate',
    io: 'input',
    description: 'A generate request: the body of `POST /api/generate` and the input of the tRPC `generate`.',
  },
  { schema: Job, id: 'Job', io: 'output', description: 'A job as the gateway reports it, on every surface.' },
  {
    schema: JobEvent,
    id: 'JobEvent',
    io: 'output',
    description: 'One change in a job: the `data` of each event of `GET /api/jobs/{id}/events`.',
  },
  {
    schema: ErrorBody,
    id: 'ErrorBody',
    io: 'output',
    description: "The body of every REST error: the Go proxy's `{error, details}` plus a stable `code`.",
  },
  { schema: Health, id: 'Health', io: 'output', description: 'The health report of `GET /health`.' },
  {
    schema: Readiness,
    id: 'Readiness',
    io: 'output',
    description: 'Whether a replica should get traffic (`GET /ready`), with the reasons when not.',
  },
]

/** The names the components have in the document. */
const COMPONENT_NAMES: readonly string[] = COMPONENTS.map(({ id, io }) =>
  io === 'input' ? `${id}Input` : id,
)

/** Gives the components their ids; idempotent, so every app built in one process finds them named. */
export function nameComponents(): void {
  for (const { schema, id, description } of COMPONENTS) {
    const meta = z.globalRegistry.get(schema)
    if (meta?.id !== id) z.globalRegistry.add(schema, { description, ...meta, id })
  }
}

const SCHEMAS = '#/components/schemas/'

/**
 * Keeps the components the paths reference (directly or through other components) and the named ones. The
 * provider emits an input and an output variant of every schema in the global registry; most are unused.
 */
export function pruneComponents<D extends object>(document: D): D {
  const { paths, components } = document as { paths?: unknown; components?: { schemas?: object } }
  const schemas = (components?.schemas ?? {}) as Record<string, unknown>
  const kept = new Set<string>()
  const keep = (name: string) => {
    if (kept.has(name) || !(name in schemas)) return
    kept.add(name)
    visit(schemas[name])
  }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) visit(item)
    else if (node && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMAS))
          keep(value.slice(SCHEMAS.length))
        else visit(value)
      }
  }
  visit(paths)
  for (const name of COMPONENT_NAMES) keep(name)
  const pruned = Object.fromEntries(Object.entries(schemas).filter(([name]) => kept.has(name)))
  return { ...document, components: { ...components, schemas: pruned } }
}
