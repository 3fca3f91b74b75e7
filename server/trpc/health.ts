/** `health`: the same report as `GET /health`. */
import { Health } from '@akashgen/contract'
import { healthReport } from '../health.ts'
import { publicProcedure } from './init.ts'

export const healthProcedure = publicProcedure.output(Health).query(({ ctx }) => healthReport(ctx.services))
