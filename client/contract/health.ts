/** The health report of `GET /health` and the tRPC `health` query. */
import { z } from 'zod'

export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  upstream: z.string(),
  uptimeS: z.number(),
  slots: z.object({ inUse: z.number().int(), max: z.number().int() }),
  queue: z.object({ length: z.number().int(), max: z.number().int() }),
  jobs: z.object({ retained: z.number().int() }),
})
export type Health = z.infer<typeof Health>
