// In headless Chromium under the gateway's own helmet headers: the playground with an API key, and Swagger UI.
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/chromium.ts'
import { servedImage, upstreamJobFor } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()
const KEY = 'browser-key-0123456789abcdef'
let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
})
afterAll(() => browser?.close())

/** A fresh page that records CSP violations and failed requests. */
async function openPage(url: string): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const violations: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })
  await page.goto(url)
  return { page, violations }
}

describe('in a browser, under helmet', () => {
  it('the playground asks for the key, keeps it, and generates with it (subscription and image too)', async () => {
    const gateway = await harness.openGateway({ AKASHGEN_API_KEYS: KEY })
    const { page, violations } = await openPage(`${gateway.url}/`)
    await page.locator('form[data-ready="true"]').waitFor()

    await page.locator('#prompt').fill('without a key')
    await page.locator('#generate').click()
    await page.locator('#error-code').filter({ hasText: 'UNAUTHORIZED' }).waitFor()

    await page.locator('#api-key').fill(KEY)
    await page.locator('#api-key').dispatchEvent('change')
    const prompt = 'a lighthouse behind a key'
    await page.locator('#prompt').fill(prompt)
    await page.locator('#generate').click()
    await page.locator('#status[data-status="succeeded"]').waitFor()
    await page.locator('#result').waitFor({ state: 'visible' })
    const src = (await page.locator('#image').getAttribute('src')) ?? ''
    expect(src).toMatch(/^blob:/)
    // The blob's bytes are the emulator's image: the page decoded it at the served image's size.
    const served = await servedImage(harness.emulator, upstreamJobFor(harness.emulator, prompt))
    const { width, height } = await sharp(served.bytes).metadata()
    const drawn = await page
      .locator('#image')
      .evaluate((image) => [
        (image as HTMLImageElement).naturalWidth,
        (image as HTMLImageElement).naturalHeight,
      ])
    expect(drawn).toEqual([width, height])
    expect(await page.locator('#image-info').textContent()).toContain(
      `${(served.bytes.byteLength / 1024).toFixed(1)} KiB`,
    )
    expect(await page.evaluate(() => localStorage.getItem('akashgen.apiKey'))).toBe(KEY)

    // After a reload the key is still there, and a history link shows its image fetched with the key.
    await page.reload()
    await page.locator('form[data-ready="true"]').waitFor()
    expect(await page.locator('#api-key').inputValue()).toBe(KEY)
    await page.locator('#history-list li a.prompt').first().click()
    await page.locator('#result').waitFor({ state: 'visible' })
    expect(await page.locator('#image').getAttribute('src')).toMatch(/^blob:/)
    expect(await page.locator('#error').isHidden()).toBe(true)
    expect(violations).toEqual([])
  })

  it('Swagger UI at /docs renders the operations under its own policy, without a violation', async () => {
    const gateway = await harness.openGateway()
    const { page, violations } = await openPage(`${gateway.url}/docs/`)
    await page.locator('.opblock-summary-path').first().waitFor()
    const paths = await page.locator('.opblock-summary-path').allTextContents()
    expect(paths.map((path) => path.replace(/\u200b/g, ''))).toContain('/api/generate')
    expect(violations).toEqual([])
  })
})
