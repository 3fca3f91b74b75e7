/** Fastify's default compilers are gone (server/http/schema-compilers.ts): a route without its own fails loudly. */
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { ownCompilersOnly } from '../../server/http/schema-compilers.ts'

describe('ownCompilersOnly', () => {
  it('fails start-up naming a route whose JSON body schema has no compiler', async () => {
    const app = Fastify({ schemaController: ownCompilersOnly })
    app.post('/plain', { schema: { body: { type: 'object' } } }, async () => 'ok')
    await expect(app.ready()).rejects.toThrow(
      'POST /plain has a request schema but no compiler: give it documented(...) options',
    )
  })

  it('fails start-up naming a route whose response schema has no compiler', async () => {
    const app = Fastify({ schemaController: ownCompilersOnly })
    app.get('/plain', { schema: { response: { 200: { type: 'string' } } } }, async () => 'ok')
    await expect(app.ready()).rejects.toThrow('GET /plain has a response schema but no compiler')
  })

  it('serves routes without schemas as before', async () => {
    const app = Fastify({ schemaController: ownCompilersOnly })
    app.get('/plain', async () => ({ ok: true }))
    const response = await app.inject({ method: 'GET', url: '/plain' })
    expect(response.json()).toEqual({ ok: true })
    await app.close()
  })
})
