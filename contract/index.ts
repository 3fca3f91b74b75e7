/** The zod contract shared by the gateway, the client package and every surface: the one source of truth. */
export * from './batch.ts'
export * from './errors.ts'
export * from './events.ts'
export * from './generate.ts'
export * from './health.ts'
export * from './job.ts'
export * from './samplers.ts'
export * from './text.ts'
