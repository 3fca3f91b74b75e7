/** The engine's and the upstream client's observers, and a byte counter for image streams, fed into the metrics. */
import type { ServerResponse } from 'node:http'
import { pipeline, type Readable, Transform } from 'node:stream'
import type { JobObserver } from '../jobs/engine.ts'
import type { UpstreamImageStream } from '../upstream/client.ts'
import type { UpstreamObserver } from '../upstream/client-options.ts'
import type { GatewayMetrics } from './registry.ts'

const seconds = (ms: number) => Math.max(0, ms) / 1000

/**
 * Job timings: queue wait is accepted → slot taken (`createdAt` → `startedAt`); upstream run is slot taken →
 * the gateway seeing the upstream's final status (so it includes submit and polling lag); delivery overhead is
 * that moment → the job's final event (`finishedAt`): checking the result and writing the final record.
 */
export function jobMetrics(metrics: GatewayMetrics): JobObserver {
  return {
    started(job) {
      if (job.startedAt !== undefined) metrics.queueWait.observe(seconds(job.startedAt - job.createdAt))
    },
    upstreamFinished(job, upstreamEndedAt) {
      if (job.startedAt !== undefined) metrics.upstreamRun.observe(seconds(upstreamEndedAt - job.startedAt))
      if (job.finishedAt !== undefined)
        metrics.deliveryOverhead.observe(seconds(job.finishedAt - upstreamEndedAt))
    },
    finished(job) {
      metrics.jobsFinished.inc({ status: job.status })
    },
  }
}

/** Upstream requests by endpoint and outcome, and drift by kind. */
export function upstreamMetrics(metrics: GatewayMetrics): UpstreamObserver {
  return {
    request(endpoint, outcome) {
      metrics.upstreamRequests.inc({ endpoint, outcome })
    },
    drift(kind) {
      metrics.upstreamDrift.inc({ kind })
    },
  }
}

/** Counts image bytes a route sends: `count(route, n)` for a whole body, `counted(...)` for a stream. */
export interface ImageBytesCounter {
  count(route: string, bytes: number): void
  /**
   * The body to send for `image` on `response`, counted: its bytes when it came whole, else its stream. A
   * declared length is counted once the response is sent whole (no extra stream stage on the hot path: Node's
   * parser enforces the length); an undeclared one is counted chunk by chunk as it passes.
   */
  counted(route: string, image: UpstreamImageStream, response: ServerResponse): Buffer | Readable
}

/** The image byte counter of `metrics`. */
export function imageBytesCounter(metrics: GatewayMetrics): ImageBytesCounter {
  const count = (route: string, bytes: number) => metrics.imageBytesServed.inc({ route }, bytes)
  return {
    count,
    counted(route, image, response) {
      const length = image.bytes?.byteLength ?? image.contentLength
      if (length !== undefined) response.once('finish', () => count(route, length))
      if (image.bytes) return image.bytes
      const { chunks } = image
      if (length !== undefined) return chunks
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          count(route, chunk.byteLength)
          done(null, chunk)
        },
      })
      // An error or a hang-up on either side ends both.
      return pipeline(chunks, counter, () => {})
    },
  }
}
