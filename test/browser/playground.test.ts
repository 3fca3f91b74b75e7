/** The playground page end to end in headless Chromium, against a real gateway and emulator on loopback. */
import { mkdir } from 'node:fs/promises'
import { SAMPLER_ALIASES, SAMPLERS, SCHEDULERS } from '@akashgen/contract'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/chromium.ts'
import { resetEmulator, servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { refusedPrompt } from '../support/trpc-refusal.ts'

/** The policy the gateway is meant to send with the page: the page must work under it. */
const STRICT_CSP = "default-src 'self'"

const harness = useGatewayHarness()
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  browser = await launchChromium()
})
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()))
})
afterAll(() => browser?.close())

/** What a test sees of its page: the page, every URL it requested, and any CSP violation it reported. */
interface Playground {
  page: Page
  requests: string[]
  cspViolations: string[]
}

/** Opens the playground of a new gateway in a fresh browser context (so a fresh localStorage). */
async function openPlayground(): Promise<Playground & { gatewayUrl: string }> {
  const gateway = await harness.openGateway()
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } })
  contexts.push(context)
  const page = await context.newPage()
  await page.route(`${gateway.url}/`, async (route) => {
    const response = await route.fetch()
    await route.fulfill({
      response,
      headers: { ...response.headers(), 'content-security-policy': STRICT_CSP },
    })
  })
  const requests: string[] = []
  const cspViolations: string[] = []
  page.on('request', (request) => requests.push(request.url()))
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
  await page.goto(`${gateway.url}/`)
  await page.locator('form[data-ready="true"]').waitFor()
  return { page, requests, cspViolations, gatewayUrl: gateway.url }
}

/** Types `prompt`, clicks Generate and waits until the newest history entry is that job, ended. */
async function generate(page: Page, prompt: string): Promise<string> {
  await page.locator('#prompt').fill(prompt)
  await page.locator('#generate').click()
  await page.waitForFunction((text) => {
    const newest = document.querySelector('#history-list li')
    const ended = !/queued|running/.test(newest?.querySelector('.meta')?.textContent ?? 'queued')
    return newest?.querySelector('.prompt')?.textContent === text && ended
  }, prompt)
  return (await page.locator('#history-list li').first().getAttribute('data-job-id')) ?? ''
}

/** The RGBA pixels of the page's `#image` as drawn on a canvas. */
function drawnPixels(page: Page): Promise<{ width: number; height: number; rgba: number[] }> {
  return page.evaluate(async () => {
    const image = document.querySelector<HTMLImageElement>('#image')
    if (!image) throw new Error('no #image')
    await image.decode()
    const canvas = document.createElement('canvas')
    canvas.width = image.naturalWidth
    canvas.height = image.naturalHeight
    const context = canvas.getContext('2d')
    if (!context) throw new Error('no 2d context')
    context.drawImage(image, 0, 0)
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height)
    return { width: canvas.width, height: canvas.height, rgba: Array.from(data) }
  })
}

describe('the playground page', () => {
  it("offers the contract's samplers and schedulers, AUTOMATIC1111 names shown as aliases", async () => {
    const { page } = await openPlayground()
    const values = (selector: string) =>
      page
        .locator(selector)
        .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value))
    expect(await values('#sampler optgroup:first-child option')).toEqual([...SAMPLERS])
    expect(await values('#sampler optgroup:last-child option')).toEqual(Object.keys(SAMPLER_ALIASES))
    expect(await page.locator('#sampler optgroup:last-child').getAttribute('label')).toMatch(
      /AUTOMATIC1111.*alias/,
    )
    expect(await page.locator('#sampler option[value="DPM++ 2M Karras"]').textContent()).toBe(
      'DPM++ 2M Karras → dpmpp_2m + karras',
    )
    expect(await page.locator('#sampler').inputValue()).toBe('dpmpp_2m')
    expect(await values('#scheduler option')).toEqual(['', ...SCHEDULERS])
    expect(await page.locator('#scheduler option').first().textContent()).toBe('default: sgm_uniform')
    await page.locator('#sampler').selectOption('DDIM')
    expect(await page.locator('#scheduler option').first().textContent()).toBe(
      'default: ddim_uniform (implied by DDIM)',
    )
  })

  it("generates an image: live progress, the emulator's own pixels, a download link", async () => {
    const { page, requests, cspViolations, gatewayUrl } = await openPlayground()
    const prompt = 'a lighthouse at dawn, from the playground'
    await page.locator('#prompt').fill(prompt)
    await page.locator('#negative').fill('blurry')
    await page.locator('#sampler').selectOption('DPM++ 2M Karras')
    await page.locator('#generate').click()
    await page.locator('#status[data-status="succeeded"]').waitFor()
    await page.locator('#result').waitFor({ state: 'visible' })

    const upstream = upstreamJobFor(harness.emulator, prompt)
    expect([upstream.sampler, upstream.scheduler, upstream.negative]).toEqual([
      'dpmpp_2m',
      'karras',
      'blurry',
    ])
    const jobId = (await page.locator('#history-list li').first().getAttribute('data-job-id')) ?? ''
    expect(jobId).toMatch(/^[A-Za-z0-9_-]+$/)

    // Progress: the place in line first (a fast job may skip its running event), then the worker that made it.
    const events = await page.locator('#events li').allTextContents()
    expect(events[0]).toMatch(/^queued: position \d+ in line$/)
    expect(events.at(-1)).toMatch(/^succeeded after \d+\.\d s$/)
    expect(await page.locator('#queue-position').textContent()).toMatch(/^\d+$/)
    expect(await page.locator('#worker').textContent()).toContain(
      `${upstream.workerName} · ${upstream.workerGpu}`,
    )
    expect(await page.locator('#elapsed').textContent()).toMatch(/^\d+\.\d s$/)

    // The image shown is the emulator's image, byte for byte and pixel for pixel.
    const served = await servedImage(harness.emulator, upstream)
    const imageUrl = `${gatewayUrl}/api/jobs/${jobId}/image`
    expect(await page.locator('#image').getAttribute('src')).toBe(imageUrl)
    const fetched = await page.evaluate(async (url) => {
      const response = await fetch(url)
      return Array.from(new Uint8Array(await response.arrayBuffer()))
    }, imageUrl)
    expect(Buffer.from(fetched).equals(served.bytes)).toBe(true)
    const expected = await sharp(served.bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    const drawn = await drawnPixels(page)
    expect([drawn.width, drawn.height]).toEqual([expected.info.width, expected.info.height])
    let largest = 0
    for (let i = 0; i < drawn.rgba.length; i++) {
      largest = Math.max(largest, Math.abs((drawn.rgba[i] ?? 0) - (expected.data[i] ?? 0)))
    }
    expect(largest).toBeLessThanOrEqual(3)

    const extension = { 'image/webp': 'webp', 'image/png': 'png', 'image/jpeg': 'jpg' }[served.type]
    expect(await page.locator('#download').getAttribute('href')).toBe(imageUrl)
    expect(await page.locator('#download').getAttribute('download')).toBe(`akashgen-${jobId}.${extension}`)

    // Everything came from the gateway itself, under the strict policy, without a violation.
    expect(requests.filter((url) => !url.startsWith(`${gatewayUrl}/`))).toEqual([])
    expect(cspViolations).toEqual([])
    await mkdir('test-artifacts', { recursive: true })
    await page.screenshot({ path: 'test-artifacts/playground.png', fullPage: true })
  })

  it('shows live progress while the job runs: its worker and an elapsed time that keeps counting', async () => {
    resetEmulator(harness.emulator, { runMs: 60_000 })
    const { page } = await openPlayground()
    const prompt = 'a slow job, watched'
    await page.locator('#prompt').fill(prompt)
    await page.locator('#generate').click()
    await page.locator('#status[data-status="running"]').waitFor()
    await page.waitForFunction(() => document.querySelector('#worker')?.textContent !== 'not assigned yet')
    const upstream = upstreamJobFor(harness.emulator, prompt)
    expect(await page.locator('#worker').textContent()).toContain(
      `${upstream.workerName} · ${upstream.workerGpu}`,
    )
    expect(await page.locator('#events li').last().textContent()).toMatch(
      new RegExp(`^running on ${upstream.workerName} · `),
    )
    expect(await page.locator('#generate').isDisabled()).toBe(true)
    expect(await page.locator('#history-list li .meta').first().textContent()).toMatch(/^running · /)
    const elapsed = await page.locator('#elapsed').textContent()
    await page.waitForFunction(
      (before) => document.querySelector('#elapsed')?.textContent !== before,
      elapsed,
    )
    expect(await page.locator('#result').isVisible()).toBe(false)
  })

  it("lists this browser's last 10 jobs after a reload, newest first, each linking to its image", async () => {
    const { page, gatewayUrl } = await openPlayground()
    expect(await page.locator('#history-empty').isVisible()).toBe(true)
    const prompts = Array.from({ length: 11 }, (_, i) => `history job ${i + 1}`)
    const jobIds: string[] = []
    for (const prompt of prompts) jobIds.push(await generate(page, prompt))

    await page.reload()
    await page.locator('form[data-ready="true"]').waitFor()
    expect(await page.locator('#history-empty').isVisible()).toBe(false)
    const items = page.locator('#history-list li')
    expect(await items.locator('.prompt').allTextContents()).toEqual(prompts.slice(1).reverse())
    expect(await items.evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.jobId))).toEqual(
      jobIds.slice(1).reverse(),
    )
    const newest = items.first().locator('a.prompt')
    expect(await items.first().locator('.meta').textContent()).toMatch(/^succeeded · /)
    const href = await newest.evaluate((link) => (link as HTMLAnchorElement).href)
    expect(href).toBe(`${gatewayUrl}/api/jobs/${jobIds.at(-1)}/image`)
    const image = await fetch(href)
    expect(image.status).toBe(200)
    const served = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, 'history job 11'))
    expect(Buffer.from(await image.arrayBuffer()).equals(served.bytes)).toBe(true)
  })

  it("shows the gateway's own message and field errors for a bad input", async () => {
    const { page, gatewayUrl } = await openPlayground()
    const upstreamJobs = harness.emulator.jobs().length
    for (const prompt of ['   ', 'x'.repeat(2001)]) {
      // What the gateway itself says about this input, asked directly over tRPC.
      const refusal = await refusedPrompt(gatewayUrl, prompt)
      await page.locator('#prompt').fill(prompt)
      await page.locator('#generate').click()
      await page.locator('#error').waitFor({ state: 'visible' })
      await page.locator('#generate:enabled').waitFor()
      expect(await page.locator('#error-message').textContent()).toBe(refusal.message)
      expect(await page.locator('#error-code').textContent()).toBe('INVALID_REQUEST')
      expect(await page.locator('#prompt-error').textContent()).toBe(refusal.promptError)
      expect(await page.locator('#prompt').getAttribute('aria-invalid')).toBe('true')
    }
    expect(await page.locator('#error-message').textContent()).toContain('2000')
    expect(await page.locator('#progress').isVisible()).toBe(false)
    expect(await page.locator('#result').isVisible()).toBe(false)
    expect(await page.locator('#history-list li').count()).toBe(0)
    expect(harness.emulator.jobs()).toHaveLength(upstreamJobs)
  })
})
