/** AKASHGEN_MAX_IMAGE_BYTES bounds every image download, declared length or not, to the byte. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetEmulator } from '../support/emulator.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { startUndeclaredLengthProxy, type TestProxy } from '../support/proxy.ts'

const harness = useGatewayHarness()
/** Every image the emulator serves here is padded to exactly this many bytes. */
const IMAGE_BYTES = 200_000

let proxy: TestProxy
beforeAll(async () => {
  proxy = await startUndeclaredLengthProxy(harness.emulator.url)
})
afterAll(() => proxy.close())

/** POST /api/generate through a gateway with this cap; `bytes` is what arrived, `whole` false when it was cut. */
async function generateUnder(cap: number, upstream: string) {
  resetEmulator(harness.emulator, { oversizedImageBytes: IMAGE_BYTES })
  const gateway = await harness.openGateway({
    AKASHGEN_UPSTREAM_URL: upstream,
    AKASHGEN_MAX_IMAGE_BYTES: String(cap),
  })
  const response = await fetch(`${gateway.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'exactly sized' }),
  })
  const chunks: Uint8Array[] = []
  let whole = true
  try {
    for await (const chunk of response.body ?? []) chunks.push(chunk)
  } catch {
    whole = false
  }
  return { status: response.status, bytes: Buffer.concat(chunks), whole }
}

describe('an image of exactly AKASHGEN_MAX_IMAGE_BYTES', () => {
  it.each([
    ['with a declared length', () => harness.emulator.url],
    ['without a declared length (chunked)', () => proxy.url],
  ])('%s is served whole', async (_name, upstream) => {
    const answer = await generateUnder(IMAGE_BYTES, upstream())
    expect(answer).toMatchObject({ status: 200, whole: true })
    expect(answer.bytes.length).toBe(IMAGE_BYTES)
  })
})

describe('an image one byte over AKASHGEN_MAX_IMAGE_BYTES', () => {
  it('with a declared length gives 502 UPSTREAM_ERROR naming the limit', async () => {
    const answer = await generateUnder(IMAGE_BYTES - 1, harness.emulator.url)
    expect(answer.status).toBe(502)
    const error = JSON.parse(answer.bytes.toString('utf8')) as { code: string; error: string }
    expect(error.code).toBe('UPSTREAM_ERROR')
    expect(error.error).toContain(`${IMAGE_BYTES - 1}-byte limit`)
  })

  it('without a declared length is cut off: the caller never gets the whole image', async () => {
    // The answer has begun (its head sniffed as an image) when the count passes the cap: it can only be cut.
    const answer = await generateUnder(IMAGE_BYTES - 1, proxy.url)
    expect(answer.whole).toBe(false)
    expect(answer.bytes.length).toBeLessThan(IMAGE_BYTES)
  })
})
