/** The webhook variables: a secret in Standard Webhooks form, the allowed hosts, the retry schedule. */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { retryDelays } from '../../server/config/webhooks.ts'
import { loadConfig } from '../../server/config.ts'
import { configRefusal as refusal } from '../support/config-refusal.ts'

describe('webhook configuration', () => {
  it('takes a whsec_ secret of 24-64 bytes; leaves webhooks off without one', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`
    expect(loadConfig({ AKASHGEN_WEBHOOK_SECRET: secret }).AKASHGEN_WEBHOOK_SECRET).toBe(secret)
    expect(loadConfig({}).AKASHGEN_WEBHOOK_SECRET).toBeUndefined()
  })

  it.each([
    ['no prefix', randomBytes(32).toString('base64')],
    ['too short', `whsec_${randomBytes(8).toString('base64')}`],
    ['too long', `whsec_${randomBytes(100).toString('base64')}`],
    ['not base64', 'whsec_not base64 at all!'],
  ])('refuses a secret with %s in one line that never shows it', (_name, value) => {
    const line = refusal({ AKASHGEN_WEBHOOK_SECRET: value })
    expect(line).toMatch(
      /^Invalid AKASHGEN_WEBHOOK_SECRET \(value hidden\): must be `whsec_` and the base64 of 24-64/,
    )
    expect(line).not.toContain(value)
    expect(line.split('\n')).toHaveLength(1)
  })

  it('reads allowed hosts lower-cased, IPv6 without brackets; refuses a URL in their place', () => {
    const { AKASHGEN_WEBHOOK_ALLOW_HOSTS } = loadConfig({
      AKASHGEN_WEBHOOK_ALLOW_HOSTS: '127.0.0.1, Hooks.Internal,[::1]',
    })
    expect(AKASHGEN_WEBHOOK_ALLOW_HOSTS).toEqual(['127.0.0.1', 'hooks.internal', '::1'])
    expect(refusal({ AKASHGEN_WEBHOOK_ALLOW_HOSTS: 'http://hooks.internal/' })).toMatch(
      /^Invalid AKASHGEN_WEBHOOK_ALLOW_HOSTS="http:\/\/hooks.internal\/": must be comma-separated host names/,
    )
  })

  it('has a default schedule of five retries, and refuses one that is not milliseconds', () => {
    expect(retryDelays(loadConfig({}).AKASHGEN_WEBHOOK_RETRY_DELAYS_MS)).toEqual([
      5000, 30_000, 120_000, 600_000, 1_800_000,
    ])
    expect(
      retryDelays(
        loadConfig({ AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: '50, 100' }).AKASHGEN_WEBHOOK_RETRY_DELAYS_MS,
      ),
    ).toEqual([50, 100])
    for (const bad of ['5s,30s', '0', '1,,2', '-5'])
      expect(refusal({ AKASHGEN_WEBHOOK_RETRY_DELAYS_MS: bad })).toMatch(
        /^Invalid AKASHGEN_WEBHOOK_RETRY_DELAYS_MS=/,
      )
  })
})
