// The forward-auth pattern without this gateway: nginx auth_request or Caddy
// forward_auth asking a small service that calls Better Auth's getSession on
// every request (the same Better Auth configuration and database as the
// gateway), 200 with X-User-Id or 401. This is the per-request check the
// gateway's cache and cheap misses are compared with.
import Fastify from 'fastify'
import { openDatabase } from '../db/client.ts'
import { createAuth } from '../src/auth/better-auth.ts'

const url = process.env.DATABASE_URL
const database = await openDatabase({
  database:
    url === undefined
      ? { driver: 'pglite', url: undefined, neonWsProxy: undefined }
      : { driver: 'pg', url, neonWsProxy: undefined },
  dataDir: process.env.DATA_DIR as string,
})
const app = Fastify({ logger: false })
const auth = createAuth({
  config: {
    publicUrl: 'http://localhost:3001',
    trustedOrigins: ['http://localhost:3001'],
    secureCookies: false,
    secret: process.env.BETTER_AUTH_SECRET as string,
  },
  db: database.db,
  log: app.log,
})

app.get('/check', async (request, reply) => {
  const session = await auth.api.getSession({
    headers: new Headers({ cookie: request.headers.cookie ?? '' }),
  })
  if (session === null) return reply.code(401).send()
  return reply.header('x-user-id', session.user.id).send()
})

await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`)
