/** The `upstream` plugin: the circuit breaker and the upstream client behind it. */
import fp from 'fastify-plugin'
import { upstreamMetrics } from '../metrics/hooks.ts'
import { collectCircuitState } from '../metrics/registry.ts'
import { CircuitBreaker } from '../upstream/circuit-breaker.ts'
import { createUpstreamClient, type UpstreamClient } from '../upstream/client.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The upstream's circuit breaker: the source of truth for "the upstream is down". */
    circuit: CircuitBreaker
    /** Submits, polls and downloads from AkashGen, through the breaker. */
    upstream: UpstreamClient
  }
}

/** Decorates `circuit` and `upstream`. */
export default fp(
  async (app) => {
    const { config, logger, metrics } = app
    // One breaker per process: readiness, the poller and metrics all read this one.
    const circuit = new CircuitBreaker({
      failures: config.AKASHGEN_CIRCUIT_FAILURES,
      windowMs: config.AKASHGEN_CIRCUIT_WINDOW_MS,
      cooldownMs: config.AKASHGEN_CIRCUIT_COOLDOWN_MS,
      maxCooldownMs: Math.max(config.AKASHGEN_CIRCUIT_COOLDOWN_MS, config.AKASHGEN_CIRCUIT_MAX_COOLDOWN_MS),
      logger,
    })
    const upstream = createUpstreamClient({
      baseUrl: config.AKASHGEN_UPSTREAM_URL,
      submitTimeoutMs: config.AKASHGEN_SUBMIT_TIMEOUT_MS,
      statusTimeoutMs: config.AKASHGEN_STATUS_TIMEOUT_MS,
      imageTimeoutMs: config.AKASHGEN_IMAGE_TIMEOUT_MS,
      maxImageBytes: config.AKASHGEN_MAX_IMAGE_BYTES,
      logger,
      observers: [upstreamMetrics(metrics)],
      retry: { retries: config.AKASHGEN_UPSTREAM_RETRIES, baseMs: config.AKASHGEN_UPSTREAM_RETRY_BASE_MS },
      circuit,
    })
    collectCircuitState(metrics, () => circuit.circuit())
    app.decorate('circuit', circuit)
    app.decorate('upstream', upstream)
  },
  { name: 'upstream', dependencies: ['metrics'] },
)
