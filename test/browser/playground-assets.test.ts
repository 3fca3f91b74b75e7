/** The playground page over a real socket, without a browser: `/`, its script and stylesheet, and nothing else. */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPlayground } from '../../scripts/build-playground.ts'
import { playgroundPage } from '../../server/http/playground.ts'
import { useGatewayHarness } from '../support/harness.ts'

const harness = useGatewayHarness()

/** The `src` of every script and `href` of every stylesheet the page loads. */
function assetsOf(html: string): { scripts: string[]; styles: string[] } {
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1] as string)
  const styles = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map(
    (match) => match[1] as string,
  )
  return { scripts, styles }
}

describe('GET / on the gateway', () => {
  it('answers the page as HTML that loads its script and stylesheet from files, with nothing inline', async () => {
    const gateway = await harness.openGateway()
    const response = await fetch(`${gateway.url}/`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await response.text()
    expect(html).toContain('<title>akashgen playground</title>')
    expect(assetsOf(html)).toEqual({ scripts: ['playground/app.js'], styles: ['playground/app.css'] })
    // A strict `default-src 'self'` policy forbids inline code and styles, and other hosts.
    expect(html).not.toMatch(/<script\b(?![^>]*\bsrc=)[^>]*>/)
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i)
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
  })

  it('serves the script as JavaScript and the stylesheet as CSS, both built from client/playground', async () => {
    const gateway = await harness.openGateway()
    const script = await fetch(new URL('playground/app.js', `${gateway.url}/`))
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/^(application|text)\/javascript\b/)
    const code = await script.text()
    // The page's own code and the client package are inside.
    expect(code).toContain('akashgen.playground.history')
    expect(code).toContain('DPM++ 2M Karras')
    const style = await fetch(new URL('playground/app.css', `${gateway.url}/`))
    expect(style.status).toBe(200)
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8')
    const css = await style.text()
    expect(css).toContain('#history-list')
    expect(css).not.toMatch(/url\(|@import/)
  })

  it('leaves the API, tRPC, health and unknown paths to their own routes', async () => {
    const gateway = await harness.openGateway()
    const health = await fetch(`${gateway.url}/health`)
    expect(health.headers.get('content-type')).toMatch(/^application\/json/)
    expect(((await health.json()) as { status: string }).status).toBe('ok')
    for (const path of ['/api/nothing', '/playground/', '/playground/other.js', '/index.html', '/app.js']) {
      const response = await fetch(`${gateway.url}${path}`)
      expect(response.status, path).toBe(404)
      expect(((await response.json()) as { code: string }).code, path).toBe('NOT_FOUND')
    }
    const trpc = await fetch(`${gateway.url}/trpc/health`)
    expect(trpc.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await trpc.text()).toMatch(/^\{"(result|error)":/)
  })
})

describe('the playground plugin on its own', () => {
  let folder: string
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'akashgen-playground-'))
  })
  afterAll(() => rm(folder, { recursive: true, force: true }))

  it('answers 503 naming `npm run build` when the page is not built and cannot be', async () => {
    const app = Fastify()
    await app.register(playgroundPage, { root: join(folder, 'missing'), build: null })
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      const response = await fetch(`http://127.0.0.1:${portOf(app)}/`)
      expect(response.status).toBe(503)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      const body = (await response.json()) as { error: string }
      expect(body.error).toContain('npm run build')
    } finally {
      await app.close()
    }
  })

  it('builds the page at start-up when its folder is missing, then serves it', async () => {
    const root = join(folder, 'built')
    const app = Fastify()
    await app.register(playgroundPage, { root, build: buildPlayground })
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      expect((await readdir(root)).sort()).toEqual([
        'app.css',
        'app.css.map',
        'app.js',
        'app.js.map',
        'index.html',
      ])
      const response = await fetch(`http://127.0.0.1:${portOf(app)}/`)
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('playground/app.js')
    } finally {
      await app.close()
    }
  })
})

function portOf(app: ReturnType<typeof Fastify>): number {
  const address = app.server.address()
  return typeof address === 'object' && address ? address.port : 0
}
