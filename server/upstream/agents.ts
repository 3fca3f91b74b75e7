/** Keep-alive agents for upstream calls that close a resting connection before the upstream does. */
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'

/**
 * How long a kept-alive connection may rest before this side closes it. A server closes resting connections
 * after a timeout of its own (Node's 5 s, announced as `Keep-Alive: timeout=5`), and a request written as that
 * close crosses it fails with ECONNRESET, which a submit cannot retry (the upstream may have taken the job).
 * Node 20's agent heeds the announcement only when it has a timeout of its own: it then closes 1 s before the
 * announced time, and after IDLE_SOCKET_MS where nothing was announced.
 */
const IDLE_SOCKET_MS = 4000

/** An http and an https agent that keep connections alive, each resting at most IDLE_SOCKET_MS. */
export function keepAliveAgents(): { http: HttpAgent; https: HttpsAgent } {
  const options = { keepAlive: true, timeout: IDLE_SOCKET_MS }
  return { http: new HttpAgent(options), https: new HttpsAgent(options) }
}
