/** The fault suite's gateway (short timeouts), its calls, and the checks every fault case ends with. */
import type { Health } from '@akashgen/contract'
import type { Emulator, EmulatorOptions, Fault } from '@akashgen/emulator'
import { expect, vi } from 'vitest'
import type { TestGateway } from '../support/gateway.ts'
import type { GatewayHarness } from '../support/harness.ts'

/** Short timeouts: each fault resolves in under a second. */
export const JOB_TIMEOUT_MS = 1000
export const CALL_TIMEOUT_MS = 300
const FAULT_ENV: Record<string, string> = {
  AKASHGEN_JOB_TIMEOUT_MS: String(JOB_TIMEOUT_MS),
  AKASHGEN_SUBMIT_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
  AKASHGEN_STATUS_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
  AKASHGEN_IMAGE_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
  AKASHGEN_MAX_IMAGE_BYTES: String(1024 * 1024),
  AKASHGEN_UPSTREAM_RETRY_BASE_MS: '20',
  AKASHGEN_CIRCUIT_COOLDOWN_MS: '150',
  LOG_LEVEL: 'info',
}
/** Time a caller may wait beyond the job deadline for its answer (the final write, the response). */
const SLACK_MS = 700

/** A finished REST call: status, body (JSON or bytes) and how long it took. */
export interface Answer {
  status: number
  code: string | undefined
  body: Record<string, unknown> | undefined
  bytes: number
  retryAfter: string | null
  ms: number
}

/** POST /api/generate, waiting for the answer. */
export async function generate(gateway: TestGateway, prompt = 'a lighthouse at dawn'): Promise<Answer> {
  const started = Date.now()
  const response = await fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  })
  const raw = Buffer.from(await response.arrayBuffer())
  const json = response.headers.get('content-type')?.startsWith('application/json')
  const body = json ? (JSON.parse(raw.toString()) as Record<string, unknown>) : undefined
  return {
    status: response.status,
    code: body?.code as string | undefined,
    body,
    bytes: raw.byteLength,
    retryAfter: response.headers.get('retry-after'),
    ms: Date.now() - started,
  }
}

/** The gateway's /health report. */
export const health = async (gateway: TestGateway) =>
  (await (await fetch(`${gateway.url}/health`)).json()) as Health

/** Expects the answer a fault case documents, within the job deadline. */
export function expectAnswer(
  answer: Answer,
  status: number,
  code: string | undefined,
  deadlineMs = JOB_TIMEOUT_MS,
): void {
  expect({ status: answer.status, code: answer.code }).toEqual({ status, code })
  expect(answer.ms).toBeLessThan(deadlineMs + SLACK_MS)
}

/** No slot, no line, no open stream, and no status polling goes on for the finished jobs. */
export async function expectIdle(gateway: TestGateway, emulator: Emulator): Promise<void> {
  await vi.waitFor(
    async () => {
      const report = await health(gateway)
      expect(report.slots?.inUse).toBe(0)
      expect(report.queue?.length).toBe(0)
      expect(gateway.app.openStreams.size).toBe(0)
    },
    { timeout: 1000 },
  )
  const before = emulator.counters.statusRequests
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(emulator.counters.statusRequests).toBe(before)
}

/** Waits until the gateway would take traffic again: the breaker is closed, or a probe may go. */
export const untilReady = (gateway: TestGateway) =>
  vi.waitFor(async () => expect((await fetch(`${gateway.url}/ready`)).status).toBe(200), { timeout: 3000 })

/** Clears every fault, waits until the gateway would take traffic (a probe may go), and runs a normal job. */
export async function expectRecovery(
  gateway: TestGateway,
  emulator: Emulator,
  knobs: Partial<EmulatorOptions> = {},
): Promise<void> {
  emulator.configure({
    faults: {},
    failRate: 0,
    stuckWaiting: false,
    offOriginResult: null,
    nonImage: false,
    oversizedImageBytes: 0,
    unknownStatus: null,
    emptyStatusArray: false,
    workerOverride: null,
    failureReason: null,
    longStringChars: 0,
    ...knobs,
  })
  await untilReady(gateway)
  const answer = await generate(gateway, 'a normal job right after')
  expect(answer.status).toBe(200)
  expect(answer.bytes).toBeGreaterThan(0)
}

/** A gateway for one fault case, with the suite's short timeouts plus `env`. */
export const faultGateway = (harness: GatewayHarness, env: Record<string, string> = {}) =>
  harness.openGateway({ ...FAULT_ENV, ...env })

/** Runs one job against `fault` on `endpoint`, then checks the answer, the clean-up and a normal job after. */
export async function playFault(
  harness: GatewayHarness,
  endpoint: 'status' | 'image',
  fault: Fault,
  status: number,
  code: string | undefined,
): Promise<TestGateway> {
  const gateway = await faultGateway(harness)
  harness.emulator.configure({ faults: { [endpoint]: fault } })
  expectAnswer(await generate(gateway), status, code)
  await expectIdle(gateway, harness.emulator)
  await expectRecovery(gateway, harness.emulator)
  return gateway
}
