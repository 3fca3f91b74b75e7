/** The gateway's address and key as the provider was given them, and the image download that needs them. */
import { AkashGenError, type ErrorCode } from '@akashgen/client'
import { createContext, useContext } from 'react'

/** Where the gateway is and the key to call it with. */
export interface Gateway {
  url: string
  apiKey?: string | undefined
}

/** Set by AkashGenProvider. */
export const GatewayContext = createContext<Gateway | null>(null)

/** The provider's gateway; a hook used outside AkashGenProvider throws saying so. */
export function useGateway(): Gateway {
  const gateway = useContext(GatewayContext)
  if (!gateway) throw new Error('@akashgen/react: wrap the app in <AkashGenProvider url="…">')
  return gateway
}

/** Downloads a succeeded job's image from the gateway's REST route, with the key, as a Blob. */
export async function downloadImage(gateway: Gateway, imageUrl: string, signal: AbortSignal): Promise<Blob> {
  // The job view's URL names the host the gateway saw; fetch through the URL the app configured.
  const base = `${gateway.url.replace(/\/+$/, '').replace(/\/trpc$/, '')}/`
  const url = new URL(new URL(imageUrl, base).pathname.replace(/^\//, ''), base)
  const headers: Record<string, string> = gateway.apiKey ? { authorization: `Bearer ${gateway.apiKey}` } : {}
  const response = await fetch(url, { headers, signal })
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: ErrorCode; error?: string }
    const message = body.error ?? `image download answered HTTP ${response.status}`
    throw new AkashGenError(body.code ?? 'UPSTREAM_ERROR', message)
  }
  return response.blob()
}
