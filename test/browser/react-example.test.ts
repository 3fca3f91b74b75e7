/**
 * The React example app (examples/react-vite), built by Vite and served by `vite preview` on loopback, in
 * headless Chromium against a gateway in front of the emulator: it uses @akashgen/react only.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAkashGenClient } from '@akashgen/client'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { build, type PreviewServer, preview } from 'vite'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/chromium.ts'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { startStreamCuttingProxy, type TestProxy } from '../support/proxy.ts'
import { refusedPrompt } from '../support/trpc-refusal.ts'

const EXAMPLE = fileURLToPath(new URL('../../examples/react-vite', import.meta.url))

const harness = useGatewayHarness()
let browser: Browser
let app: PreviewServer
let appOrigin: string
let outDir: string
const contexts: BrowserContext[] = []
const proxies: TestProxy[] = []

beforeAll(async () => {
  // A fresh build of the example (from the packages' built dist/, as an app would), served as a static site.
  outDir = await mkdtemp(join(tmpdir(), 'akashgen-react-example-'))
  const config = { root: EXAMPLE, logLevel: 'warn', build: { outDir, emptyOutDir: true } } as const
  // Vitest sets NODE_ENV=test, which would give React's development build: build what an app ships.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  await build({ ...config, mode: 'production' }).finally(() => {
    process.env.NODE_ENV = nodeEnv
  })
  app = await preview({ ...config, preview: { host: '127.0.0.1', port: 0, strictPort: false } })
  appOrigin = app.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? ''
  browser = await launchChromium()
}, 60_000)
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()))
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
  if (outDir) await rm(outDir, { recursive: true, force: true })
})

/** A gateway that lets the example's origin call it. */
const openGateway = () => harness.openGateway({ AKASHGEN_CORS_ORIGINS: appOrigin })

/** Opens the example pointed at `gatewayUrl`, once it has reached the gateway's health procedure. */
async function openExample(gatewayUrl: string): Promise<Page> {
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  await page.goto(`${appOrigin}/?gateway=${encodeURIComponent(gatewayUrl)}`)
  await page.locator('#gateway[data-status="ok"]').waitFor()
  return page
}

/** Types `prompt` and clicks Generate. */
async function generate(page: Page, prompt: string): Promise<void> {
  await page.locator('#prompt').fill(prompt)
  await page.locator('#generate').click()
}

/** The bytes of the `<img>` the page shows (an object URL), read inside the page. */
async function shownBytes(page: Page, selector: string): Promise<Buffer> {
  const bytes = await page.evaluate(async (css) => {
    const src = document.querySelector<HTMLImageElement>(css)?.src ?? ''
    return Array.from(new Uint8Array(await (await fetch(src)).arrayBuffer()))
  }, selector)
  return Buffer.from(bytes)
}

describe('the React example app', () => {
  it("shows live progress and the emulator's image, byte for byte, from an object URL", async () => {
    resetEmulator(harness.emulator, { runMs: 1_000 })
    const gateway = await openGateway()
    const page = await openExample(gateway.url)
    await generate(page, 'a lighthouse, from React')
    await page.locator('#status[data-status="running"]').waitFor()
    const upstream = upstreamJobFor(harness.emulator, 'a lighthouse, from React')
    expect(await page.locator('#worker').textContent()).toBe(`${upstream.workerName} · ${upstream.workerGpu}`)
    await page.locator('#image').waitFor()
    expect(await page.locator('#status').getAttribute('data-status')).toBe('succeeded')
    expect(await page.locator('#image').getAttribute('src')).toMatch(/^blob:/)
    const finished = upstreamJobFor(harness.emulator, 'a lighthouse, from React')
    expect(
      (await shownBytes(page, '#image')).equals((await servedImage(harness.emulator, finished)).bytes),
    ).toBe(true)
    expect(await page.locator('#history-list li .meta').first().textContent()).toBe('succeeded')
  })

  it('cancel stops the job on the gateway', async () => {
    resetEmulator(harness.emulator, { runMs: 60_000 })
    const gateway = await openGateway()
    const page = await openExample(gateway.url)
    await generate(page, 'cancelled from React')
    await page.locator('#status[data-status="running"]').waitFor()
    await page.locator('#cancel').click()
    await page.locator('#status[data-status="cancelled"]').waitFor()
    const jobId = (await page.locator('#history-list li').first().getAttribute('data-job-id')) ?? ''
    const job = await createAkashGenClient({ url: gateway.url }).jobStatus.query({ jobId })
    expect(job.status).toBe('cancelled')
    expect(await page.locator('#error-code').textContent()).toBe('CANCELLED')
  })

  it("shows the gateway's own message and field error for a bad input", async () => {
    const gateway = await openGateway()
    const page = await openExample(gateway.url)
    const upstreamJobs = harness.emulator.jobs().length
    const prompt = 'x'.repeat(2001)
    const refusal = await refusedPrompt(gateway.url, prompt)
    await generate(page, prompt)
    await page.locator('#error').waitFor()
    expect(await page.locator('#error-message').textContent()).toBe(refusal.message)
    expect(await page.locator('#error-code').textContent()).toBe('INVALID_REQUEST')
    expect(await page.locator('#prompt-error').textContent()).toBe(refusal.promptError)
    expect(await page.locator('#prompt').getAttribute('aria-invalid')).toBe('true')
    expect(harness.emulator.jobs()).toHaveLength(upstreamJobs)
  })

  it('resumes a stream dropped mid-job from the last event and still shows the image', async () => {
    resetEmulator(harness.emulator, { queueMs: 300, runMs: 2_000 })
    const gateway = await openGateway()
    // Cuts the first event stream's connection once it has carried the job's first events.
    const proxy = await startStreamCuttingProxy(gateway.url, 600)
    const { streams } = proxy
    proxies.push(proxy)
    const page = await openExample(proxy.url)
    await generate(page, 'a stream cut short')
    await page.locator('#image').waitFor({ timeout: 15_000 })
    expect(await page.locator('#status').getAttribute('data-status')).toBe('succeeded')
    expect(streams.length).toBeGreaterThanOrEqual(2)
    // The browser's EventSource reconnected by itself, naming the last event it saw.
    expect(streams[1]?.headers['last-event-id']).toMatch(/^\d+$/)
    const upstream = upstreamJobFor(harness.emulator, 'a stream cut short')
    expect(await page.locator('#worker').textContent()).toBe(`${upstream.workerName} · ${upstream.workerGpu}`)
    expect(
      (await shownBytes(page, '#image')).equals((await servedImage(harness.emulator, upstream)).bytes),
    ).toBe(true)
  })
})
