/** Graceful close for keep-alive and pre-opened connections: in-flight requests finish, nothing else lingers. */
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

/**
 * Node's `server.close()` waits for every connection, and it counts a connection that never sent a request
 * (browsers and HTTP clients pre-open them) as busy: one such socket would hold the shutdown forever. So on
 * close, connections with no request in flight are destroyed at once, and the others as soon as their last
 * response has been sent.
 */
export function installConnectionDrain(app: FastifyInstance): void {
  const inFlight = new Map<Socket, number>()
  let closing = false
  app.server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0)
    socket.once('close', () => inFlight.delete(socket))
  })
  app.server.on('request', (request, response) => {
    const socket = request.socket
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1)
    response.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1
      inFlight.set(socket, left)
      if (closing && left === 0) socket.destroy()
    })
  })
  app.addHook('preClose', async () => {
    closing = true
    for (const [socket, count] of inFlight) if (count === 0) socket.destroy()
  })
}
