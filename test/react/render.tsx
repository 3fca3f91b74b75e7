/** The origin the tests' DOM window has: a gateway allows it with AKASHGEN_CORS_ORIGINS. */
export const PAGE_ORIGIN = 'http://127.0.0.1'

/** Renders hooks of @akashgen/react under a provider pointed at a test gateway, counting the renders. */
import { AkashGenProvider } from '@akashgen/react'
import { cleanup, renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach } from 'vitest'

// Testing Library unmounts after each test by itself only where vitest's globals are on; they are not here.
afterEach(cleanup)

/** Renders `hook` inside <AkashGenProvider url={url}>; `renders.count` grows by one per render of the hook. */
export function renderWithGateway<Result>(url: string, hook: () => Result, apiKey?: string) {
  const renders = { count: 0 }
  const wrapper = ({ children }: { children: ReactNode }) => (
    <AkashGenProvider url={url} apiKey={apiKey}>
      {children}
    </AkashGenProvider>
  )
  const rendered = renderHook(
    () => {
      renders.count++
      return hook()
    },
    { wrapper },
  )
  return { ...rendered, renders }
}
