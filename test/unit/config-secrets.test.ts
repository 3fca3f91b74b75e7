import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isSecret, withoutCredentials } from '../../server/config/load.ts'
import { configRefusal as refusal } from '../support/config-refusal.ts'

const KEY = 'k3y-0f-the-team-2026'

describe('config errors never print a secret', () => {
  describe('URLs: the variable is named, its credentials are not', () => {
    it.each([
      ['REDIS_URL', 'http://:hunter2@127.0.0.1:6379', 'http://***@127.0.0.1:6379'],
      ['REDIS_URL', 'redis://default:hunter2@127.0.0.1:port', 'redis://***@127.0.0.1:port'],
      ['REDIS_URL', ':hunter2@127.0.0.1:6379', '***@127.0.0.1:6379'],
      ['REDIS_URL', 'redis://:hun/ter@2@127.0.0.1:6379:0', 'redis://***@127.0.0.1:6379:0'],
      ['AKASHGEN_UPSTREAM_URL', 'ftp://robot:hunter2@gen.example.com', 'ftp://***@gen.example.com'],
      ['AKASHGEN_PUBLIC_URL', 'https://robot:hunter2@images.example.com', 'https://***@images.example.com'],
    ])('%s=%s', (name, value, shown) => {
      const message = refusal({ [name]: value })
      expect(message).toMatch(new RegExp(`^Invalid ${name}=`))
      expect(message).toContain(JSON.stringify(shown))
      expect(message).not.toContain('hunter2')
      expect(message).not.toMatch(/hun|ter@2/)
    })

    it('keeps a value without credentials as it was given', () => {
      expect(refusal({ REDIS_URL: 'http://127.0.0.1:6379' })).toBe(
        'Invalid REDIS_URL="http://127.0.0.1:6379": must be a redis:// or rediss:// URL',
      )
      expect(withoutCredentials('10.0.0.0/33')).toBe('10.0.0.0/33')
    })
  })

  describe('API keys', () => {
    it.each([
      ['a key too short', 'hunter2-short'],
      ['a good key beside a bad one', `${KEY},hunter2 with spaces`],
      ['a key with a control character', `${KEY}\u0007`],
    ])('names AKASHGEN_API_KEYS and hides the value: %s', (_, value) => {
      const message = refusal({ AKASHGEN_API_KEYS: value })
      expect(message).toBe(
        'Invalid AKASHGEN_API_KEYS (value hidden): must be comma-separated keys, each 16-512 visible ASCII characters without commas',
      )
      expect(message).not.toContain('hunter2')
      expect(message).not.toContain(KEY)
    })

    it("shows a key file's path, never its contents", async () => {
      const file = join(await mkdtemp(join(tmpdir(), 'akashgen-keys-')), 'keys')
      await writeFile(file, `${KEY}\nhunter2\n`)
      const message = refusal({ AKASHGEN_API_KEYS_FILE: file })
      expect(message).toMatch(new RegExp(`^Invalid AKASHGEN_API_KEYS_FILE=${JSON.stringify(file)}: must be `))
      expect(message).not.toContain('hunter2')
      expect(message).not.toContain(KEY)
    })
  })

  it('treats any variable named for a key, secret, password or token as secret; a _FILE path is not', () => {
    expect(isSecret('AKASHGEN_API_KEYS')).toBe(true)
    expect(isSecret('AKASHGEN_WEBHOOK_SECRET')).toBe(true)
    expect(isSecret('REDIS_PASSWORD')).toBe(true)
    expect(isSecret('AKASHGEN_UPSTREAM_TOKEN')).toBe(true)
    expect(isSecret('AKASHGEN_API_KEYS_FILE')).toBe(false)
    expect(isSecret('REDIS_URL')).toBe(false)
    expect(isSecret('PORT')).toBe(false)
  })
})
