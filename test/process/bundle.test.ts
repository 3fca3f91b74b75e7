/** `npm run build` produces the bundle the Dockerfile runs, and that bundle serves a real image. */

import { readFile } from 'node:fs/promises'
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

  it('loads bullmq and ioredis only behind a dynamic import (memory mode never loads them)', async () => {
    // Run after the build above: every file server.mjs imports statically, followed through its chunks.
    const staticallyLoaded = new Set<string>()
    const packages = new Set<string>()
    const follow = async (file: string): Promise<void> => {
      if (staticallyLoaded.has(file)) return
      staticallyLoaded.add(file)
      const code = await readFile(new URL(`../../dist/${file}`, import.meta.url), 'utf8')
      for (const [, specifier] of code.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gms)) {
        if (specifier?.startsWith('./')) await follow(specifier.slice(2))
        else if (specifier) packages.add(specifier)
      }
    }
    await follow('server.mjs')
    expect(packages).toContain('fastify')
    expect([...packages].filter((name) => /^(bullmq|ioredis)(\/|$)/.test(name))).toEqual([])
    const bundle = await readFile(new URL('../../dist/server.mjs', import.meta.url), 'utf8')
    expect(bundle).toMatch(/await import\("\.\/backend-[\w-]+\.mjs"\)/)
  })
})
