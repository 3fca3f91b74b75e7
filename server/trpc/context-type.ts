/** The tRPC context's shape, apart from the factory that builds it, so `t` (init.ts) can be typed by it. */
import type { IncomingHttpHeaders } from 'node:http'
import type { Caller } from '../http/security/caller.ts'
import type { OpenStreams } from '../http/sse.ts'
import type { AppServices } from '../services.ts'

/** What every procedure can use. */
export interface Context {
  services: AppServices
  /** The open event streams, ended on shutdown (`jobEvents` registers itself here). */
  streams: OpenStreams
  /** This gateway's origin as the caller reached it, for absolute image URLs. */
  origin: string
  requestId: string
  /** Who calls: its verified key (jobs are then its own), else its address; jobs are read as this caller. */
  caller: Caller
  /** The HTTP request's headers (`generate` reads `Idempotency-Key` from them). */
  headers: IncomingHttpHeaders
}
