// The baseline: a bare @fastify/http-proxy hop with no identity work at all.
// Plain JavaScript, run by node itself like the compiled gateway: under the
// tsx loader the same hop cost ~1.5 µs (3%) more CPU per request, which
// flattered every ratio to it (measured side by side, 6 rounds each).
import httpProxy from '@fastify/http-proxy'
import Fastify from 'fastify'

const app = Fastify({ logger: false })
await app.register(httpProxy, {
  upstream: String(process.env.UPSTREAM),
  prefix: '/api',
  rewritePrefix: '/api',
  undici: { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 },
})
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`)
// An orderly exit on SIGTERM, so a --cpu-prof profile gets written (npm run bench:cpu).
process.once('SIGTERM', () => app.close().then(() => process.exit(0)))
