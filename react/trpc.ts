/** The tRPC ↔ TanStack Query bindings of the gateway's router: one context, read by every hook. */
import type { AppRouter } from '@akashgen/client'
import { createTRPCContext } from '@trpc/tanstack-react-query'

const context = createTRPCContext<AppRouter>()

/** Provides the typed client and query client to the hooks below (AkashGenProvider renders it). */
export const TRPCProvider = context.TRPCProvider

/**
 * The gateway's procedures as TanStack Query options: `useQuery(trpc.health.queryOptions())`,
 * `useMutation(trpc.cancel.mutationOptions())`, `trpc.jobStatus.queryKey({ jobId })`.
 */
export const useAkashGenTRPC = context.useTRPC

/** The typed tRPC client under the provider (`client.jobStatus.query({ jobId })`), for calls outside a hook. */
export const useAkashGenClient = context.useTRPCClient
