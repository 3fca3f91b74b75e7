// /trpc takes JSON bodies only, capped at the body limit; anything else is refused (415) before it is read.
import { describe, expect, it } from 'vitest'
import { BODY_LIMIT } from '../../server/app.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { rawJson, sendRaw } from '../support/raw-http.ts'

const harness = useGatewayHarness()

type TRPCErrorBody = { error: { json: { message: string; data: { errorCode: string; httpStatus: number } } } }

describe('/trpc request bodies', () => {
  it('refuses a 100 MB multipart upload with 415 after its first bytes, in the tRPC error shape', async () => {
    const gateway = await harness.openGateway()
    // The head announces 100 MB; only the first part is ever sent. tRPC's own parser would wait for the rest.
    const head =
      'POST /trpc/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      'Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000000\r\n\r\n' +
      '--b\r\nContent-Disposition: form-data; name="jobId"\r\n\r\n'
    const outcome = await sendRaw(gateway.url, head)
    outcome.socket.destroy()
    expect(outcome.status).toBe(415)
    expect(outcome.text).toMatch(/\r\nconnection: close\r\n/i)
    const body = rawJson(outcome.text) as TRPCErrorBody
    expect(body.error.json.data).toMatchObject({ errorCode: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415 })
    expect(body.error.json.message).toContain('multipart/form-data')
  })

  it.each([
    ['application/octet-stream', 'x'],
    ['text/plain', '{"jobId":"x"}'],
    ['application/x-www-form-urlencoded', 'jobId=x'],
  ])('refuses %s with 415 UNSUPPORTED_MEDIA_TYPE', async (type, payload) => {
    const gateway = await harness.openGateway()
    const response = await fetch(`${gateway.url}/trpc/cancel`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: payload,
    })
    expect(response.status).toBe(415)
    const body = (await response.json()) as TRPCErrorBody
    expect(body.error.json.data.errorCode).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('caps JSON at the body limit with 413 PAYLOAD_TOO_LARGE in the tRPC shape, and takes JSON under it', async () => {
    const gateway = await harness.openGateway()
    const tooBig = JSON.stringify({ prompt: 'x'.repeat(BODY_LIMIT) })
    const refused = await fetch(`${gateway.url}/trpc/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: tooBig,
    })
    expect(refused.status).toBe(413)
    expect(((await refused.json()) as TRPCErrorBody).error.json.data.errorCode).toBe('PAYLOAD_TOO_LARGE')
    const accepted = await fetch(`${gateway.url}/trpc/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ json: { prompt: 'a lighthouse' } }),
    })
    expect(accepted.status).toBe(200)
  })
})
