// A loopback port nobody listens on right now (the OS picks it; the caller's process binds it a moment later).
import { type AddressInfo, createServer } from 'node:net'

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
