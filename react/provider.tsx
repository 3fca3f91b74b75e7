/** AkashGenProvider: where the gateway is, for every hook below it. */
import { createAkashGenClient } from '@akashgen/client'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { type ReactNode, useMemo, useState } from 'react'
import { GatewayContext } from './gateway.ts'
import { TRPCProvider } from './trpc.ts'

/** The provider's props. */
export interface AkashGenProviderProps {
  /** The gateway's base URL, e.g. `http://localhost:6571`; a page on another origin needs AKASHGEN_CORS_ORIGINS. */
  url: string
  /** The gateway's API key, when it requires one: sent on calls, subscriptions and image downloads. */
  apiKey?: string
  /** The app's own TanStack Query client; without one the provider makes its own. */
  queryClient?: QueryClient
  children?: ReactNode
}

/** Makes the gateway's typed client, TanStack Query and tRPC's bindings available to the hooks below it. */
export function AkashGenProvider({ url, apiKey, queryClient, children }: AkashGenProviderProps) {
  const [ownQueryClient] = useState(() => new QueryClient())
  const queries = queryClient ?? ownQueryClient
  const client = useMemo(() => createAkashGenClient({ url, apiKey }), [url, apiKey])
  const gateway = useMemo(() => ({ url, apiKey }), [url, apiKey])
  return (
    <QueryClientProvider client={queries}>
      <TRPCProvider trpcClient={client} queryClient={queries}>
        <GatewayContext value={gateway}>{children}</GatewayContext>
      </TRPCProvider>
    </QueryClientProvider>
  )
}
