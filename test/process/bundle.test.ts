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

  it('answers the first requests for the surfaces it loads on demand: /openapi.json, /docs, / and /metrics', async () => {
    const running = await runGateway({ AKASHGEN_UPSTREAM_URL: emulator.url }, 'dist/server.mjs')
    gateway = running
    // All at once, first thing after start: each lazily built app is built once and serves every caller.
    const [document, again, ui, page, metrics] = await Promise.all([
      fetch(`${running.url}/openapi.json`),
      fetch(`${running.url}/openapi.json`),
      fetch(`${running.url}/docs`),
      fetch(`${running.url}/`),
      fetch(`${running.url}/metrics`),
    ])
    expect(document.status).toBe(200)
    const body = (await document.json()) as { openapi: string; paths: Record<string, unknown> }
    expect(body.openapi).toBe('3.1.0')
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/api/generate', '/metrics']))
    expect(await again.json()).toEqual(body)
    expect(ui.status).toBe(200)
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await ui.text()).toContain('swagger-initializer.js')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(metrics.status).toBe(200)
    expect(await metrics.text()).toContain('akashgen_process_cpu_seconds_total')
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
      // Static imports only (`import{a}from"x"`, `import"x"`), whitespace-minified or not; never `import(`.
      for (const [, specifier] of code.matchAll(/\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?"([^"]+)"/g)) {
        if (specifier?.startsWith('./')) await follow(specifier.slice(2))
        else if (specifier) packages.add(specifier)
      }
    }
    await follow('server.mjs')
    // The follow works: it went through the chunks and found Node's own modules.
    expect(staticallyLoaded.size).toBeGreaterThan(1)
    expect(packages).toContain('node:http')
    expect([...packages].filter((name) => /^(bullmq|ioredis)(\/|$)/.test(name))).toEqual([])
    // The docs UI, the OpenAPI generator and the static file server load on their first request (below);
    // prom-client is bundled in, without @opentelemetry/api.
    const lazyOrBundled = /^(@fastify\/(swagger|swagger-ui|static)|prom-client|@opentelemetry\/api)(\/|$)/
    expect([...packages].filter((name) => lazyOrBundled.test(name))).toEqual([])
    const bundle = await readFile(new URL('../../dist/server.mjs', import.meta.url), 'utf8')
    expect(bundle).toMatch(/await import\("\.\/backend-[\w-]+\.mjs"\)/)
  })
})
