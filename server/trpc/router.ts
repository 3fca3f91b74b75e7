/** The tRPC router: wires each procedure; `AppRouter` is the type the client package is built on. */
import { cancelProcedure } from './cancel.ts'
import { generateProcedure } from './generate.ts'
import { healthProcedure } from './health.ts'
import { router } from './init.ts'
import { jobEventsProcedure } from './job-events.ts'
import { jobStatusProcedure } from './job-status.ts'

export const appRouter = router({
  generate: generateProcedure,
  jobStatus: jobStatusProcedure,
  health: healthProcedure,
  cancel: cancelProcedure,
  jobEvents: jobEventsProcedure,
})

/** The router's type: import it with `import type` only, so no server code reaches a client bundle. */
export type AppRouter = typeof appRouter

/** The names of the router's procedures (metrics label tRPC calls by these only). */
export const procedureNames: readonly string[] = Object.keys(appRouter._def.procedures)
