// The baseline: a bare @fastify/http-proxy hop with no identity work at all.
import httpProxy from '@fastify/http-proxy'
import Fastify from 'fastify'

const app = Fastify({ logger: false })
await app.register(httpProxy, {
  upstream: process.env.UPSTREAM as string,
  prefix: '/api',
  rewritePrefix: '/api',
  undici: { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 },
})
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`)
// An orderly exit on SIGTERM, so a --cpu-prof profile gets written (npm run bench:cpu).
process.once('SIGTERM', () => app.close().then(() => process.exit(0)))
