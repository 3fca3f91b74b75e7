import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, maxJobsPerClient } from '../../server/config.ts'

/** The ConfigError thrown for `env`; fails the test when the environment was accepted. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`)
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('starts with no variables set', () => {
      expect(loadConfig({})).toMatchObject({
        PORT: 6571,
        HOST: '0.0.0.0',
        AKASHGEN_UPSTREAM_URL: 'https://gen.akash.network',
        AKASHGEN_MAX_CONCURRENT: 10,
        AKASHGEN_MAX_QUEUE: 100,
        AKASHGEN_JOB_TIMEOUT_MS: 300_000,
        LOG_LEVEL: 'info',
      })
    })

    it.each(['', ' ', '\t\n'])('treats a blank value (%j) as unset', (blank) => {
      expect(
        loadConfig({
          PORT: blank,
          HOST: blank,
          AKASHGEN_UPSTREAM_URL: blank,
          AKASHGEN_MAX_QUEUE: blank,
          LOG_LEVEL: blank,
        }),
      ).toMatchObject({
        PORT: 6571,
        HOST: '0.0.0.0',
        AKASHGEN_UPSTREAM_URL: 'https://gen.akash.network',
        AKASHGEN_MAX_QUEUE: 100,
        LOG_LEVEL: 'info',
      })
    })

    it('ignores variables it does not know', () => {
      expect(loadConfig({ PATH: '/usr/bin', PORT: '8080' }).PORT).toBe(8080)
      expect(loadConfig({ PATH: '/usr/bin' })).not.toHaveProperty('PATH')
    })
  })

  describe('values given', () => {
    it('coerces numbers from strings', () => {
      expect(
        loadConfig({
          PORT: '8080',
          AKASHGEN_MAX_CONCURRENT: '3',
          AKASHGEN_MAX_QUEUE: '0',
          AKASHGEN_JOB_TIMEOUT_MS: '1000',
        }),
      ).toMatchObject({
        PORT: 8080,
        AKASHGEN_MAX_CONCURRENT: 3,
        AKASHGEN_MAX_QUEUE: 0,
        AKASHGEN_JOB_TIMEOUT_MS: 1000,
      })
    })

    it('keeps the host and log level', () => {
      expect(loadConfig({ HOST: '127.0.0.1', LOG_LEVEL: 'debug' })).toMatchObject({
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
      })
    })

    it.each([
      ['https://gen.akash.network/', 'https://gen.akash.network'],
      ['http://127.0.0.1:7000//', 'http://127.0.0.1:7000'],
      ['http://localhost:7000/base/', 'http://localhost:7000/base'],
      ['http://localhost:7000', 'http://localhost:7000'],
    ])('strips trailing slashes from the upstream URL (%s)', (given, expected) => {
      expect(loadConfig({ AKASHGEN_UPSTREAM_URL: given }).AKASHGEN_UPSTREAM_URL).toBe(expected)
    })
  })

  describe('edge settings', () => {
    it('reads trusted proxies as a hop count or a list, and the public URL as its origin', () => {
      expect(loadConfig({ AKASHGEN_TRUST_PROXY: '2' }).AKASHGEN_TRUST_PROXY).toBe(2)
      expect(loadConfig({ AKASHGEN_TRUST_PROXY: '10.0.0.0/8, ::1' }).AKASHGEN_TRUST_PROXY).toEqual([
        '10.0.0.0/8',
        '::1',
      ])
      expect(loadConfig({ AKASHGEN_PUBLIC_URL: 'https://images.example.com/' }).AKASHGEN_PUBLIC_URL).toBe(
        'https://images.example.com',
      )
      expect(loadConfig({})).toMatchObject({
        AKASHGEN_TRPC_MAX_BATCH: 50,
        AKASHGEN_REQUEST_TIMEOUT_MS: 30_000,
        AKASHGEN_MAX_CONNECTIONS: 10_000,
        AKASHGEN_AUTH_FAILURES_PER_MINUTE: 20,
      })
    })
  })

  describe('bad values', () => {
    it.each([
      ['PORT', 'abc', 'must be an integer port 0-65535'],
      ['PORT', '70000', 'must be an integer port 0-65535'],
      ['PORT', '80.5', 'must be an integer port 0-65535'],
      ['AKASHGEN_UPSTREAM_URL', 'ftp://x', 'must be an http(s) URL'],
      ['AKASHGEN_UPSTREAM_URL', 'not a url', 'must be an http(s) URL'],
      ['AKASHGEN_MAX_CONCURRENT', '0', 'must be an integer 1-10000'],
      ['AKASHGEN_MAX_QUEUE', '-1', 'must be an integer 0-1000000'],
      ['AKASHGEN_JOB_TIMEOUT_MS', '5', 'must be milliseconds, 1000-3600000'],
      [
        'AKASHGEN_MAX_JOBS_PER_CLIENT',
        '-1',
        'must be an integer 0-1000000 (0: no per-client cap; unset: a quarter of slots + queue)',
      ],
      ['AKASHGEN_MAX_STREAMS_PER_CLIENT', 'many', 'must be an integer 0-1000000 (0: no per-client cap)'],
      ['LOG_LEVEL', 'loud', 'must be one of fatal, error, warn, info, debug, trace, silent'],
      [
        'AKASHGEN_TRUST_PROXY',
        'true',
        'must be a hop count 1-100, or comma-separated proxy addresses and CIDR blocks such as 10.0.0.0/8',
      ],
      [
        'AKASHGEN_TRUST_PROXY',
        '10.0.0.0/33',
        'must be a hop count 1-100, or comma-separated proxy addresses and CIDR blocks such as 10.0.0.0/8',
      ],
      [
        'AKASHGEN_PUBLIC_URL',
        'https://images.example.com/base',
        'must be an http(s) origin without a path, such as https://images.example.com',
      ],
      [
        'AKASHGEN_PUBLIC_URL',
        'ftp://images.example.com',
        'must be an http(s) origin without a path, such as https://images.example.com',
      ],
      ['AKASHGEN_REQUEST_TIMEOUT_MS', '10', 'must be milliseconds, 100-600000'],
      ['AKASHGEN_TRPC_MAX_BATCH', '0', 'must be an integer 1-500'],
      ...['dall-e-3,,gpt-image-1', 'dall-e-3,', 'dall-e-3,dall-e-3', 'dall e 3'].map((value) => [
        'AKASHGEN_OPENAI_MODEL_ALIASES',
        value,
        'must be comma-separated model names (each 1-64 letters, digits and . _ : -), none empty or repeated',
      ]),
    ])('refuses %s=%s in one line naming the variable and what it must be', (name, value, must) => {
      const error = configError({ [name]: value })
      expect(error).toBeInstanceOf(ConfigError)
      expect(error.name).toBe('ConfigError')
      expect(error.message).not.toContain('\n')
      expect(error.message).toBe(`Invalid ${name}=${JSON.stringify(value)}: ${must}`)
    })

    it('reads AKASHGEN_OPENAI_MODEL_ALIASES as a list of names, trimmed; unset is none', () => {
      expect(loadConfig({ AKASHGEN_OPENAI_MODEL_ALIASES: ' dall-e-3 , gpt-image-1' })).toMatchObject({
        AKASHGEN_OPENAI_MODEL_ALIASES: ['dall-e-3', 'gpt-image-1'],
      })
      expect(loadConfig({}).AKASHGEN_OPENAI_MODEL_ALIASES).toBeUndefined()
    })

    it('keeps the message on one line when the value holds a newline', () => {
      const error = configError({ LOG_LEVEL: 'info\nPORT=1' })
      expect(error.message.split('\n')).toHaveLength(1)
      expect(error.message).toMatch(/^Invalid LOG_LEVEL=/)
    })

    it('names the first bad variable when several are bad', () => {
      expect(configError({ PORT: 'abc', LOG_LEVEL: 'loud' }).message).toMatch(/^Invalid PORT=/)
    })
  })
})

describe('maxJobsPerClient', () => {
  it('is a quarter of slots + queue when unset (at least 1), the value when set, and 0 means no cap', () => {
    expect(maxJobsPerClient(loadConfig({}))).toBe(27)
    expect(maxJobsPerClient(loadConfig({ AKASHGEN_MAX_CONCURRENT: '1', AKASHGEN_MAX_QUEUE: '0' }))).toBe(1)
    expect(maxJobsPerClient(loadConfig({ AKASHGEN_MAX_JOBS_PER_CLIENT: '5' }))).toBe(5)
    expect(maxJobsPerClient(loadConfig({ AKASHGEN_MAX_JOBS_PER_CLIENT: '0' }))).toBe(0)
  })
})
