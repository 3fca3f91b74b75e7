/** The tRPC router: wires each procedure; `AppRouter` is the type the client package is built on. */
import type { AnyTRPCSubscriptionProcedure } from '@trpc/server'
import { cancelProcedure } from './cancel.ts'
import { generateProcedure } from './generate.ts'
import { healthProcedure } from './health.ts'
import { router } from './init.ts'
import { jobEventsProcedure } from './job-events.ts'
import { jobStatusProcedure } from './job-status.ts'

/** Every procedure by name: the router is built from it, and the names below are read from it. */
const procedures = {
  generate: generateProcedure,
  jobStatus: jobStatusProcedure,
  health: healthProcedure,
  cancel: cancelProcedure,
  jobEvents: jobEventsProcedure,
}

export const appRouter = router(procedures)

/** The router's type: import it with `import type` only, so no server code reaches a client bundle. */
export type AppRouter = typeof appRouter

type ProcedureName = keyof typeof procedures

/** The names of the router's procedures (metrics label tRPC calls by these only). */
export const procedureNames = Object.keys(procedures) as ProcedureName[]

type SubscriptionName = {
  [Name in ProcedureName]: (typeof procedures)[Name] extends AnyTRPCSubscriptionProcedure ? Name : never
}[ProcedureName]

/** One entry per subscription procedure: the compiler refuses a missing or an extra one. */
const subscriptions: Record<SubscriptionName, true> = { jobEvents: true }

/** The names of the subscription procedures (opened by a bodiless GET, admitted by the tRPC context). */
export const subscriptionNames = Object.keys(subscriptions) as SubscriptionName[]
