/** How many calls one tRPC batch request may carry. */

/**
 * The gateway's default cap on the calls of one batch (`AKASHGEN_TRPC_MAX_BATCH`); the client splits larger
 * batches into requests of this size, so a page that asks for many job views at once is never refused.
 */
export const TRPC_MAX_BATCH = 50
