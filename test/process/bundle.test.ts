/** `npm run build` produces the bundle the Dockerfile runs, and that bundle serves a real image. */

import type { Emulator } from '@akashgen/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestEmulator } from '../support/emulator.ts'
import { type RunningProcess, runGateway, runScript } from '../support/process.ts'

let emulator: Emulator
let gateway: RunningProcess | undefined
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(async () => {
  gateway?.kill()
  await emulator.close()
})

describe('the production bundle', () => {
  it('builds dist/server.mjs, which answers the README curl with an image', async () => {
    const build = runScript('scripts/build.ts', {})
    expect((await build.exited).code).toBe(0)
    expect(build.stdout()).toContain('dist/server.mjs')
    const running = await runGateway({ AKASHGEN_UPSTREAM_URL: emulator.url }, 'dist/server.mjs')
    gateway = running
    const response = await fetch(`${running.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'bundled', sampler: 'DPM++ 2M Karras', scheduler: 'karras' }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/webp')
    running.child.kill('SIGTERM')
    expect((await running.exited).code).toBe(0)
  })
})
