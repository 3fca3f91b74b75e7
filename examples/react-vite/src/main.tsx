/** The example's entry: the provider, pointed at the gateway, around the app. */
import { AkashGenProvider } from '@akashgen/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.tsx'
import './app.css'

// `?gateway=http://host:port` picks the gateway at run time (the end-to-end test uses it); else the build's.
const gatewayUrl =
  new URLSearchParams(location.search).get('gateway') ??
  import.meta.env.VITE_AKASHGEN_URL ??
  'http://localhost:6571'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <AkashGenProvider url={gatewayUrl} apiKey={import.meta.env.VITE_AKASHGEN_API_KEY}>
      <App />
    </AkashGenProvider>
  </StrictMode>,
)
