import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { imageBytesCounter } from '../../server/metrics/hooks.ts'
import { createMetrics } from '../../server/metrics/registry.ts'
import { parseMetrics } from './prometheus-text.ts'

const served = async (metrics: ReturnType<typeof createMetrics>) =>
  parseMetrics(await metrics.registry.metrics()).value('akashgen_image_bytes_served_total', { route: '/x' })

describe('image bytes served', () => {
  it('counts a stream of undeclared length chunk by chunk, passing every byte through', async () => {
    const metrics = createMetrics()
    const chunks = [Buffer.alloc(100, 1), Buffer.alloc(50, 2)]
    const response = new EventEmitter() as ServerResponse
    const image = { contentType: 'image/png', contentLength: undefined, chunks: Readable.from(chunks) }
    const body = imageBytesCounter(metrics).counted('/x', image, response)
    const received: Buffer[] = []
    for await (const chunk of body) received.push(chunk as Buffer)
    expect(Buffer.concat(received)).toEqual(Buffer.concat(chunks))
    expect(await served(metrics)).toBe(150)
  })

  it('counts a declared length once the response was sent whole, and not before', async () => {
    const metrics = createMetrics()
    const response = new EventEmitter() as ServerResponse
    const chunks = Readable.from([Buffer.alloc(70)])
    const image = { contentType: 'image/png', contentLength: 70, chunks }
    expect(imageBytesCounter(metrics).counted('/x', image, response)).toBe(chunks)
    expect(await served(metrics)).toBe(0)
    response.emit('finish')
    expect(await served(metrics)).toBe(70)
  })

  it('counts an image that came whole once the response was sent, and hands on its bytes as they are', async () => {
    const metrics = createMetrics()
    const response = new EventEmitter() as ServerResponse
    const bytes = Buffer.alloc(90, 3)
    const image = { contentType: 'image/png', contentLength: 90, bytes }
    expect(imageBytesCounter(metrics).counted('/x', image, response)).toBe(bytes)
    expect(await served(metrics)).toBe(0)
    response.emit('finish')
    expect(await served(metrics)).toBe(90)
  })
})
