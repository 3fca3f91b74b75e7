/** One emulator per test file (reset before each test) and gateways in front of it, closed after each test. */

import type { Emulator } from '@akashgen/emulator'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { resetEmulator, startTestEmulator } from './emulator.ts'
import { startGateway, type TestGateway } from './gateway.ts'

/** What a test file gets from useGatewayHarness(). */
export interface GatewayHarness {
  /** This file's emulator (available once beforeAll has run). */
  readonly emulator: Emulator
  /** A gateway in front of the emulator with `env` added; closed after the test. */
  openGateway(env?: Record<string, string>): Promise<TestGateway>
}

/** Registers the hooks; call it at the top of a test file. */
export function useGatewayHarness(): GatewayHarness {
  let emulator: Emulator | undefined
  const gateways: TestGateway[] = []
  beforeAll(async () => {
    emulator = await startTestEmulator()
  })
  beforeEach(() => resetEmulator(harness.emulator))
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()))
  })
  afterAll(() => emulator?.close())
  const harness: GatewayHarness = {
    get emulator() {
      if (!emulator) throw new Error('the emulator starts in beforeAll')
      return emulator
    },
    async openGateway(env = {}) {
      const gateway = await startGateway({ AKASHGEN_UPSTREAM_URL: harness.emulator.url, ...env })
      gateways.push(gateway)
      return gateway
    },
  }
  return harness
}
