/**
 * Fastify's schema compilers for routes that bring none: every gateway route carries its own (zod, through
 * `documented()`), so Fastify's defaults (ajv and fast-json-stringify, about 100 files and 30 ms of start-up,
 * loaded when the server is built) are never needed and never loaded.
 */
import type { FastifyServerOptions } from 'fastify'

/** A route with a JSON schema but no compiler of its own fails at start-up, saying so. */
const noCompiler =
  (what: string) =>
  ({ method, url }: { method?: string; url?: string }): never => {
    throw new Error(`${method} ${url} has a ${what} schema but no compiler: give it documented(...) options`)
  }

/** The `schemaController` option: no default validator or serializer. */
export const ownCompilersOnly: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator: () => noCompiler('request'),
    buildSerializer: () => noCompiler('response'),
  },
}
