/** The official OpenAI SDK pointed at a test gateway, and a helper to catch what it throws. */
import OpenAI from 'openai'
import type { TestGateway } from '../support/gateway.ts'

/** An OpenAI client for `gateway`'s `/v1`; retries off unless a test asks for the SDK's default. */
export function openAIFor(gateway: TestGateway, options: { maxRetries?: number } = {}): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: options.maxRetries ?? 0 })
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail')
}

/** The gateway's `/health` slot and queue counts. */
export async function healthOf(gateway: TestGateway): Promise<{ inUse: number; queued: number }> {
  const report = (await (await fetch(`${gateway.url}/health`)).json()) as {
    slots: { inUse: number }
    queue: { length: number }
  }
  return { inUse: report.slots.inUse, queued: report.queue.length }
}
