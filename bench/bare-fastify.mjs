// The comparison row of bench/footprint.ts: a bare Fastify server with the gateway's two measured routes, plain JS
// so that it starts with plain `node` exactly like `npm start` does (no loader, nothing else imported).
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.post('/api/generate', async (request) => ({ prompt: request.body?.prompt ?? null }))
await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' })
